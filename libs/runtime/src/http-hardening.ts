import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '@app/config';
import { type ApiKeys, type AuthFailures, authorize, callerOf, parseKeys } from '@app/security';
import { sendError } from './error-response';

/**
 * Headers every response carries and the browser rules: helmet's defaults (nosniff, frame
 * denial, a strict CSP that the OpenAPI UI satisfies), no X-Powered-By, `Cache-Control: no-store`
 * (predictions and model parameters are not for shared caches), and CORS only for the origins
 * CORS_ORIGINS names.
 */
export function applyHttpHardening(app: INestApplication, config: AppConfig): void {
  const express = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
  express.disable('x-powered-by');
  // Responses are never cached (no-store), so hashing every body for an ETag is work for nothing.
  express.disable('etag');
  app.use(securityHeadersMiddleware());
  const origins = parseKeys(config.CORS_ORIGINS);
  if (origins.length > 0) {
    app.enableCors({
      origin: origins,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'x-request-id', 'prefer'],
      exposedHeaders: ['x-request-id', 'location', 'retry-after'],
      maxAge: 600,
    });
  }
}

/**
 * helmet's headers (HSTS off: TLS ends in front of us) and `Cache-Control: no-store`, computed
 * once by running helmet on a recording response: with no nonce they are the same for every
 * response, and helmet's chain of a dozen middlewares, one header each, was 5% of the gateway's
 * CPU in a profile under load; setting a fixed list is a fraction of that.
 */
export function securityHeadersMiddleware() {
  const headers = securityHeaders();
  return (_req: Request, res: Response, next: NextFunction): void => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

function securityHeaders(): ReadonlyArray<readonly [string, string]> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
    locals: {},
  };
  let done = false;
  helmet({ hsts: false })({} as never, recorder as never, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    done = true;
  });
  // helmet calls back at once with static options; a chain that did not would leave headers out.
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be precomputed');
  headers.set('Cache-Control', 'no-store');
  return [...headers];
}

/** The OpenAPI UI and document are Express routes, outside Nest's guards: the same rule as prediction routes. */
export function docsAccessMiddleware(keys: ApiKeys, failures: AuthFailures) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const decision = authorize('predict', callerOf(req.headers, req.socket.remoteAddress), keys, failures);
    if (decision.allowed) return next();
    if (decision.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="iris-platform"');
    if (decision.status === 429) res.setHeader('Retry-After', String(decision.retryAfterSeconds));
    sendError(res, decision.status, { status: 'error', error: decision.error, message: decision.message });
  };
}
