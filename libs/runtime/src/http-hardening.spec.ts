import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { securityHeadersMiddleware } from './http-hardening';

/** The headers a real Express app answers with behind the given middlewares, minus the per-response ones. */
async function headersBehind(...middlewares: RequestHandler[]): Promise<Record<string, string>> {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  for (const m of middlewares) app.use(m);
  app.get('/x', (_req, res) => void res.json({ ok: true }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
    await res.text();
    const skip = new Set(['date', 'connection', 'keep-alive', 'content-length', 'content-type']);
    return Object.fromEntries([...res.headers].filter(([name]) => !skip.has(name)));
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('securityHeadersMiddleware', () => {
  it('answers with exactly the headers helmet (HSTS off) and no-store give', async () => {
    const noStore: RequestHandler = (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      next();
    };
    const expected = await headersBehind(helmet({ hsts: false }), noStore);
    const ours = await headersBehind(securityHeadersMiddleware());
    expect(ours).toEqual(expected);
    expect(ours).toMatchObject({
      'x-frame-options': 'SAMEORIGIN',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'content-security-policy': expect.stringContaining("default-src 'self'"),
    });
    expect(ours).not.toHaveProperty('strict-transport-security');
  });
});
