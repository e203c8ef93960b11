import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { httpLatency, httpRequests } from './metrics';
import type { JsonLogger } from './json-logger';
import { runWithRequestId } from './request-context';
import { endSpan, failSpan, startServerSpan, traceparentOf, tracingActive, withSpan, type Span } from './tracing/trace-context';

/** What a caller may choose as its own request id (X-Request-Id, or gRPC metadata x-request-id). */
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestIdOptions {
  /** TRACE_CALLER_CONTEXT: link a caller's traceparent (a trace of our own) or follow it. */
  callerTraceContext?: 'link' | 'follow';
}

/**
 * Gives every HTTP request the platform's own request id (always generated here, so two
 * callers can never share one) and keeps a sane caller X-Request-Id beside it for tracing.
 * The caller's id is echoed in X-Request-Id (ours when none was sent). Writes one access-log
 * line and the HTTP metrics when the response finishes. With tracing on, the request is a
 * server span, active while it is handled, whose trace id every log line of it carries.
 */
export function requestIdMiddleware(logger: JsonLogger, options: RequestIdOptions = {}) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.header('x-request-id');
    const clientRequestId = given && CLIENT_REQUEST_ID.test(given) ? given : undefined;
    const requestId = randomUUID();
    res.setHeader('x-request-id', clientRequestId ?? requestId);
    res.locals.requestId = requestId;
    res.locals.clientRequestId = clientRequestId;
    const span = tracingActive() ? serverSpan(req, requestId, options.callerTraceContext ?? 'link') : undefined;
    const traceparent = traceparentOf(span);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      httpLatency.observe({ method: req.method, route }, seconds);
      if (span?.isRecording()) finishServerSpan(span, req.method, route, res.statusCode);
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
        traceparent,
      );
    });
    // A connection closed before the answer: the span still ends, marked as such.
    res.on('close', () => {
      if (span?.isRecording() && !res.writableFinished) {
        failSpan(span, 'the client closed the connection before the response');
        span.end();
      }
    });
    // Only a recorded span needs to be the active one (children start under it); an unsampled
    // request's trace context travels in the request context alone, which costs nothing more.
    if (span?.isRecording()) withSpan(span, () => runWithRequestId(requestId, next, clientRequestId, traceparent));
    else runWithRequestId(requestId, next, clientRequestId, traceparent);
  };
}

function serverSpan(req: Request, requestId: string, callerContext: 'link' | 'follow'): Span {
  return startServerSpan(req.method, req.header('traceparent'), callerContext, {
    'http.request.method': req.method,
    'url.path': req.path,
    'request.id': requestId,
  });
}

function finishServerSpan(span: Span, method: string, route: string, status: number): void {
  span.updateName(`${method} ${route}`);
  span.setAttribute('http.route', route);
  span.setAttribute('http.response.status_code', status);
  // As OpenTelemetry's HTTP conventions have it: a 4xx is the caller's error, not the server span's.
  endSpan(span, status >= 500 ? new Error(`HTTP ${status}`) : undefined);
}
