import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { BusUnavailableError, MessageTooLargeError } from '@app/messaging';
import type { JsonLogger } from '@app/observability';
import type { ApiErrorBody } from './api-error';
import { HttpFailure } from './http-failure';

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/** The ids every error body carries: ours always, the caller's when it sent one. */
export function requestIds(res: Response): { request_id?: string; client_request_id?: string } {
  const ids: { request_id?: string; client_request_id?: string } = { request_id: res.locals?.requestId as string | undefined };
  if (res.locals?.clientRequestId) ids.client_request_id = res.locals.clientRequestId as string;
  return ids;
}

/**
 * HTTP: every exception becomes the documented error body, mapped here and nowhere else;
 * unknown errors a 500 with a generic message (stack traces go to the log, never to the client).
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
    const { status, body } = this.describe(exception, req);
    if (res.headersSent) return;
    res.status(status).json({ ...body, ...requestIds(res) });
  }

  private describe(exception: unknown, req: Request): { status: number; body: ApiErrorBody } {
    if (exception instanceof HttpFailure) {
      return { status: exception.status, body: { status: 'error', error: exception.code, message: exception.message, ...exception.extra } };
    }
    if (exception instanceof BusUnavailableError) {
      return { status: 503, body: { status: 'error', error: 'broker_unavailable', message: 'Event broker is unreachable' } };
    }
    if (exception instanceof MessageTooLargeError) {
      return {
        status: 413,
        body: { status: 'error', error: 'message_too_large', message: exception.message, limit_bytes: exception.limit },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const body =
        typeof response === 'object' && response !== null && (response as ApiErrorBody).status === 'error'
          ? (response as ApiErrorBody)
          : { status: 'error' as const, error: CODES[status] ?? 'http_error', message: exception.message };
      return { status, body };
    }
    this.logger.event('error', 'unhandled error', {
      path: req?.originalUrl,
      error: (exception as Error)?.message,
      stack: (exception as Error)?.stack,
    });
    return { status: 500, body: { status: 'error', error: 'internal_error', message: 'Internal server error' } };
  }
}
