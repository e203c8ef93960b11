import { SpanStatusCode } from '@opentelemetry/api';
import express from 'express';
import { inMemoryTracing } from '../../../test/support/in-memory-tracing';
import request from 'supertest';
import { JsonLogger } from './json-logger';
import { requestIdMiddleware } from './request-id.middleware';

describe('requestIdMiddleware access log', () => {
  it('writes the path with a key sent in the query string masked', async () => {
    const lines: string[] = [];
    const app = express();
    app.use(requestIdMiddleware(new JsonLogger('gateway', 'info', (l) => lines.push(l))));
    app.get('/models', (_req, res) => void res.json({ status: 'success' }));
    await request(app).get('/models?api_key=s3cret-key-1&limit=5&token=t0k3n').expect(200);
    expect(JSON.parse(lines[0])).toMatchObject({ message: 'http request', path: '/models?api_key=[REDACTED]&limit=5&token=[REDACTED]', status: 200 });
    expect(lines.join('\n')).not.toMatch(/s3cret-key-1|t0k3n/);
  });
});

describe('requestIdMiddleware server spans (tracing on)', () => {
  const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  let tracing: ReturnType<typeof inMemoryTracing>;
  beforeAll(() => (tracing = inMemoryTracing()));
  afterEach(() => tracing.reset());
  afterAll(() => tracing.stop());

  const app = (callerTraceContext: 'link' | 'follow') => {
    const a = express();
    a.use(requestIdMiddleware(new JsonLogger('gateway', 'error', () => undefined), { callerTraceContext }));
    a.get('/ok', (_req, res) => void res.json({ ok: true }));
    a.get('/broken', (_req, res) => void res.status(503).json({ ok: false }));
    return a;
  };

  it("continues a caller's trace with TRACE_CALLER_CONTEXT=follow", async () => {
    await request(app('follow')).get('/ok').set('traceparent', CALLER).expect(200);
    const [span] = tracing.spans();
    expect(span.name).toBe('GET /ok');
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('starts a trace of its own for a malformed traceparent, even with follow', async () => {
    await request(app('follow')).get('/ok').set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01').expect(200);
    const [span] = tracing.spans();
    expect(span.spanContext().traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.links).toEqual([]);
  });

  it('marks a 5xx answer with the error status, a 2xx not', async () => {
    await request(app('link')).get('/broken').expect(503);
    await request(app('link')).get('/ok').expect(200);
    expect(tracing.spans().map((s) => [s.name, s.status.code, s.attributes['http.response.status_code']])).toEqual([
      ['GET /broken', SpanStatusCode.ERROR, 503],
      ['GET /ok', SpanStatusCode.UNSET, 200],
    ]);
  });
});
