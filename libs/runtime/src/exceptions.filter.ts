import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import type { JsonLogger } from '@app/observability';
import type { ApiErrorBody } from './api-error';

const CODES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/**
 * HTTP: every exception becomes the documented error body; unknown errors a 500 with a
 * generic message (stack traces go to the log, never to the client).
 * Events: the error passes through unchanged. Nest's default would turn it into a generic
 * object, and the contract consumer needs the original to choose retry (RetryableError)
 * or dead-letter.
 */
@Catch()
export class ExceptionsFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') return throwError(() => exception);
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const requestId = res.locals?.requestId as string | undefined;
    let status = 500;
    let body: ApiErrorBody = { status: 'error', error: 'internal_error', message: 'Internal server error' };
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const response = exception.getResponse();
      body =
        typeof response === 'object' && response !== null && (response as ApiErrorBody).status === 'error'
          ? (response as ApiErrorBody)
          : { status: 'error', error: CODES[status] ?? 'http_error', message: exception.message };
    } else {
      this.logger.event('error', 'unhandled error', {
        path: req?.originalUrl,
        error: (exception as Error)?.message,
        stack: (exception as Error)?.stack,
      });
    }
    res.status(status).json({ ...body, request_id: requestId });
  }
}
