import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { HttpDrain } from './http-drain';

/** Just enough of an Express response for the middleware. */
function response() {
  const res = new EventEmitter() as EventEmitter & { statusCode?: number; body?: unknown; headers: Record<string, string>; locals: Record<string, unknown> };
  res.headers = {};
  res.locals = { requestId: 'rid' };
  Object.assign(res, {
    setHeader: (k: string, v: string) => (res.headers[k] = v),
    status: (code: number) => ((res.statusCode = code), res),
    json: (body: unknown) => ((res.body = body), res),
  });
  return res;
}

describe('HttpDrain', () => {
  it('lets requests in flight finish, answers new ones 503 with Connection: close, and resolves when idle', async () => {
    const drain = new HttpDrain();
    const mw = drain.middleware();
    const inFlight = response();
    let started = 0;
    mw({} as Request, inFlight as unknown as Response, () => started++);
    expect(drain.active).toBe(1);
    const drained = drain.drain(5_000);
    const late = response();
    mw({} as Request, late as unknown as Response, () => started++);
    expect(started).toBe(1);
    expect([late.statusCode, late.headers.Connection, late.body]).toEqual([
      503,
      'close',
      { status: 'error', error: 'shutting_down', message: 'This instance is shutting down; retry', request_id: 'rid' },
    ]);
    inFlight.emit('finish');
    expect(await drained).toBe(0);
  });

  it('gives up after the timeout and reports the requests still in flight', async () => {
    const drain = new HttpDrain();
    drain.middleware()({} as Request, response() as unknown as Response, () => undefined);
    expect(await drain.drain(50)).toBe(1);
  });
});
