import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { ProtocolInputError } from '@app/contracts';
import { BusUnavailableError, MessageTooLargeError } from '@app/messaging';
import type { JsonLogger } from '@app/observability';
import type { ApiErrorBody } from './api-error';
import { sendError } from './error-response';
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

/**
 * HTTP: every exception becomes the documented error body (in the route's style, see
 * sendError), mapped here and nowhere else; unknown errors a 500 with a generic message (stack
 * traces go to the log, never to the client). Other transports: the error passes through
 * unchanged. Nest's default would turn it into a generic object, and the contract consumer
 * needs the original to choose retry (RetryableError) or dead-letter; gRPC maps it with
 * describeException too.
 */
@Catch()
export class ExceptionsFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') return throwError(() => exception);
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { status, body } = describeException(exception, this.logger, req?.originalUrl);
    if (res.headersSent) return;
    if (exception instanceof HttpFailure && exception.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    sendError(res, status, body);
  }
}

/** What an exception means to a client: its HTTP status and the error body. Unknown errors are logged here, when given a logger. */
export function describeException(exception: unknown, logger?: JsonLogger, where?: string): { status: number; body: ApiErrorBody } {
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
  if (exception instanceof ProtocolInputError) {
    return { status: 400, body: { status: 'error', error: 'invalid_input', message: exception.message } };
  }
  logger?.event('error', 'unhandled error', {
    path: where,
    error: (exception as Error)?.message,
    stack: (exception as Error)?.stack,
  });
  return { status: 500, body: { status: 'error', error: 'internal_error', message: 'Internal server error' } };
}
