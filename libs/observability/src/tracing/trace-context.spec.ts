import { SpanStatusCode } from '@opentelemetry/api';
import { inMemoryTracing } from '../../../../test/support/in-memory-tracing';
import { JsonLogger } from '../json-logger';
import { activeTraceparent, runWithRequestId } from '../request-context';
import { contextOf, endSpan, sampled, linksTo, spanContextOf, startSpan, traceIdOf, traceparentOf, tracingActive, withSpan } from './trace-context';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('traceparent parsing', () => {
  it('reads a W3C traceparent: ids, sampled flag, remote', () => {
    expect(spanContextOf(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(spanContextOf(`00-${TRACE}-${SPAN}-00`)?.traceFlags).toBe(0);
    expect(traceIdOf(`00-${TRACE}-${SPAN}-01`)).toBe(TRACE);
  });

  it('reads the sampled flag: the bit, not the digit', () => {
    expect([`00-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-03`, `00-${TRACE}-${SPAN}-00`, `00-${TRACE}-${SPAN}-02`, undefined].map(sampled)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it.each([
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['another version', `ff-${TRACE}-${SPAN}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['trailing data', `00-${TRACE}-${SPAN}-01-extra`],
    ['nothing', undefined],
  ])('refuses %s', (_what, value) => {
    expect(spanContextOf(value)).toBeUndefined();
  });

  it('links only to well-formed traceparents', () => {
    expect(linksTo([`00-${TRACE}-${SPAN}-01`, 'garbage', undefined]).map((l) => l.context.spanId)).toEqual([SPAN]);
  });
});

describe('with tracing off', () => {
  it('is inactive and names no active span', () => {
    expect(tracingActive()).toBe(false);
    expect(activeTraceparent()).toBeUndefined();
  });
});

describe('with tracing on', () => {
  let tracing: ReturnType<typeof inMemoryTracing>;
  beforeAll(() => (tracing = inMemoryTracing()));
  afterEach(() => tracing.reset());
  afterAll(() => tracing.stop());

  it('makes the span active inside withSpan: what is published there continues it', () => {
    const span = startSpan('outer');
    const inside = withSpan(span, () => activeTraceparent());
    endSpan(span);
    expect(inside).toBe(traceparentOf(span));
    expect(inside).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(activeTraceparent()).toBeUndefined();
  });

  it('continues a remote parent and marks a failed span with the error status', () => {
    const span = startSpan('child', { parent: contextOf(`00-${TRACE}-${SPAN}-01`) });
    endSpan(span, new Error('scoring failed'));
    const [done] = tracing.spans();
    expect(done.spanContext().traceId).toBe(TRACE);
    expect(done.parentSpanContext?.spanId).toBe(SPAN);
    expect(done.status).toEqual({ code: SpanStatusCode.ERROR, message: 'scoring failed' });
  });

  it("puts the request's trace id in every log line of it", () => {
    const lines: string[] = [];
    const logger = new JsonLogger('test', 'info', (l) => lines.push(l));
    runWithRequestId('r-1', () => logger.event('info', 'inside'), undefined, `00-${TRACE}-${SPAN}-00`);
    const span = startSpan('handler');
    withSpan(span, () => logger.event('info', 'in a span'));
    endSpan(span);
    logger.event('info', 'outside');
    expect(lines.map((l) => JSON.parse(l).trace_id)).toEqual([TRACE, span.spanContext().traceId, undefined]);
  });
});
