import type { RequestRecord } from './load';
import { classify, droppedInFlight, judge, okLatency, recoverySeconds, tally, type Expectations, type Findings } from './verdict';

const rec = (over: Partial<RequestRecord>): RequestRecord => ({
  client: 0,
  clientRequestId: 'c-1',
  startedAt: 0,
  endedAt: 10,
  status: 200,
  requestId: 'p-1',
  echoedBodyId: 'c-1',
  echoedHeaderId: 'c-1',
  ...over,
});

describe('classify', () => {
  it('accepts a 2xx only with its platform request id and our id echoed in body and header', () => {
    expect(classify(rec({}))).toBe('ok');
    expect(classify(rec({ requestId: undefined }))).toBe('other');
    expect(classify(rec({ echoedHeaderId: 'c-2' }))).toBe('other');
    expect(classify(rec({ echoedBodyId: undefined }))).toBe('other');
  });

  it('accepts 503 and 504 as failures only with a request id', () => {
    expect(classify(rec({ status: 503, echoedBodyId: undefined }))).toBe('failed');
    expect(classify(rec({ status: 504 }))).toBe('failed');
    expect(classify(rec({ status: 503, requestId: undefined }))).toBe('other');
    expect(classify(rec({ status: 500 }))).toBe('other');
    expect(classify(rec({ status: 502 }))).toBe('other');
  });

  it('tells refused connections from dropped ones and from client timeouts', () => {
    expect(classify(rec({ status: null, errorCode: 'ECONNREFUSED' }))).toBe('refused');
    expect(classify(rec({ status: null, errorCode: 'ECONNRESET' }))).toBe('reset');
    expect(classify(rec({ status: null, errorCode: 'CLIENT_TIMEOUT' }))).toBe('other');
  });
});

describe('recoverySeconds', () => {
  const ok = (startedAt: number) => rec({ startedAt });
  const failed = (startedAt: number) => rec({ startedAt, status: 503 });

  it('is the time from the fault end to the first success after which nothing failed', () => {
    expect(recoverySeconds([ok(0), failed(1000), ok(2000), failed(9000), ok(9500), ok(12_000)], 5000)).toBe(4.5);
  });

  it('is 0 when nothing failed after the fault ended', () => {
    expect(recoverySeconds([ok(0), failed(1000), ok(3000), ok(6000)], 5000)).toBe(0);
  });

  it('is null when the last request failed', () => {
    expect(recoverySeconds([ok(0), ok(6000), failed(7000)], 5000)).toBeNull();
  });

  it('orders by start, not by completion', () => {
    expect(recoverySeconds([ok(8000), failed(7000), ok(6000)], 5000)).toBe(3);
  });
});

describe('tally and droppedInFlight', () => {
  it('counts each outcome and keeps examples of the unexpected ones', () => {
    const t = tally([
      rec({}),
      rec({ status: 504 }),
      rec({ status: null, errorCode: 'ECONNREFUSED' }),
      rec({ clientRequestId: 'c-9', status: 500, requestId: undefined, error: 'internal' }),
    ]);
    expect(t).toEqual({ requests: 4, ok: 1, failed: 1, refused: 1, reset: 0, other: 1, otherExamples: ['c-9: 500 internal (no request id)'] });
  });

  it('counts only requests sent before the fault that got no answer', () => {
    const records = [
      rec({ startedAt: 90, status: null, errorCode: 'ECONNRESET' }),
      rec({ startedAt: 110, status: null, errorCode: 'ECONNRESET' }),
      rec({ startedAt: 95, status: 503 }),
    ];
    expect(droppedInFlight(records, 100)).toBe(1);
  });
});

describe('judge', () => {
  const expect_: Expectations = { connectionErrors: 'none', failures: 'allowed', rescored: 'allowed', maxRecoverySeconds: 15 };
  const clean: Findings = {
    tally: { requests: 10, ok: 8, failed: 2, refused: 0, reset: 0, other: 0, otherExamples: [] },
    droppedInFlight: 0,
    missing: 0,
    duplicates: 0,
    rescored: 0,
    recoverySeconds: 3,
    servicesDown: [],
    problems: [],
  };

  it('passes a scenario that kept every promise', () => {
    expect(judge(clean, expect_)).toEqual([]);
  });

  it('names every broken promise', () => {
    const reasons = judge(
      {
        ...clean,
        missing: 1,
        duplicates: 2,
        rescored: 1,
        recoverySeconds: 16,
        servicesDown: ['monitor'],
        problems: ['job stuck'],
        tally: { ...clean.tally, refused: 1 },
      },
      { ...expect_, failures: 'none', rescored: 'none' },
    );
    expect(reasons).toEqual([
      '1 request(s) answered 2xx have no prediction in Elasticsearch',
      '2 request(s) answered 2xx have more than one prediction document',
      '1 connection error(s) while the gateway was up',
      '2 request(s) failed although the fault is off the request path',
      '1 request(s) were scored twice (offsets not committed before the worker left)',
      'recovery took 16.0 s (limit 15 s)',
      'still down: monitor',
      'job stuck',
    ]);
  });

  it('allows connection errors where the gateway itself goes down, but not dropped in-flight requests after a graceful stop', () => {
    const refused = { ...clean, tally: { ...clean.tally, refused: 5, reset: 1 } };
    expect(judge(refused, { ...expect_, connectionErrors: 'any' })).toEqual([]);
    expect(judge(refused, { ...expect_, connectionErrors: 'new' })).toEqual([]);
    expect(judge({ ...refused, droppedInFlight: 1 }, { ...expect_, connectionErrors: 'new' })).toEqual([
      '1 request(s) in flight when the fault began got no answer',
    ]);
  });

  it('fails a scenario where nothing succeeded or the stack never recovered', () => {
    expect(judge({ ...clean, tally: { ...clean.tally, ok: 0 }, recoverySeconds: null }, expect_)).toEqual([
      'no request succeeded',
      'the stack never served normally again',
    ]);
  });
});

describe('okLatency', () => {
  it('takes the successful requests sent since the fault began, by nearest rank', () => {
    const records = [
      rec({ startedAt: 0, endedAt: 500 }),
      ...Array.from({ length: 100 }, (_, i) => rec({ startedAt: 1000, endedAt: 1000 + i + 1 })),
      rec({ startedAt: 1000, endedAt: 9000, status: 504 }),
    ];
    expect(okLatency(records, 1000)).toEqual({ p50: 50, p99: 99, max: 100 });
    expect(okLatency(records, 2000)).toBeUndefined();
  });
});
