import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { httpLatency, httpRequests } from './metrics';
import type { JsonLogger } from './json-logger';
import { runWithRequestId } from './request-context';

/** What a caller may choose as its own request id (X-Request-Id, or gRPC metadata x-request-id). */
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every HTTP request the platform's own request id (always generated here, so two
 * callers can never share one) and keeps a sane caller X-Request-Id beside it for tracing.
 * The caller's id is echoed in X-Request-Id (ours when none was sent). Writes one access-log
 * line and the HTTP metrics when the response finishes.
 */
export function requestIdMiddleware(logger: JsonLogger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.header('x-request-id');
    const clientRequestId = given && CLIENT_REQUEST_ID.test(given) ? given : undefined;
    const requestId = randomUUID();
    res.setHeader('x-request-id', clientRequestId ?? requestId);
    res.locals.requestId = requestId;
    res.locals.clientRequestId = clientRequestId;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      httpLatency.observe({ method: req.method, route }, seconds);
      runWithRequestId(
        requestId,
        () =>
          // A 503 from /ready is the probe doing its job, not an error.
          logger.event(res.statusCode >= 500 && route !== '/ready' ? 'error' : 'info', 'http request', {
            method: req.method,
            path: req.originalUrl.length > 512 ? `${req.originalUrl.slice(0, 512)}…` : req.originalUrl,
            status: res.statusCode,
            latency_ms: Math.round(seconds * 1e6) / 1e3,
          }),
        clientRequestId,
      );
    });
    runWithRequestId(requestId, next, clientRequestId);
  };
}
