import { Catch, Injectable, type ArgumentsHost } from '@nestjs/common';
import type { Response } from 'express';
import { JsonLogger } from '@app/observability';
import { ExceptionsFilter } from '@app/runtime';
import { mlflowErrorBody } from './mlflow-error-body';

/**
 * MLflow's error body for a route outside /invocations (where the gateway's app options bind
 * it by path): every failure from the route's guards on (access, rate limit, validation,
 * scoring) answers with `error_code` and `message` as well. Refusals before routing (the body
 * parser's 413/415) keep the platform's own body, which carries `message` too.
 */
@Catch()
@Injectable()
export class MlflowExceptionsFilter extends ExceptionsFilter {
  constructor(logger: JsonLogger) {
    super(logger);
  }

  override catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() === 'http') {
      const res = host.switchToHttp().getResponse<Response>();
      res.locals.errorStyle ??= mlflowErrorBody;
    }
    return super.catch(exception, host);
  }
}
