import { fitGaussianNB, irisDataset } from '@app/model';
import { distinctFlower } from '../support/distinct-flowers';
import { referenceAnswer } from '../support/reference-scoring';
import type { TopicTraffic } from './kafka-check';
import type { RequestRecord } from './load';
import {
  classify,
  crossedAnswers,
  droppedInFlight,
  effectEvidence,
  failedOver,
  inFlightAt,
  judge,
  okLatency,
  recoverySeconds,
  repeatedClientIds,
  rescoredRequests,
  servedDuring,
  tally,
  type Expectations,
  type Findings,
} from './verdict';

const rec = (over: Partial<RequestRecord>): RequestRecord => ({
  client: 0,
  clientRequestId: 'c-1',
  input: distinctFlower(0),
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
  it('counts each outcome, the 503s among the failures, and keeps examples of the unexpected ones', () => {
    const t = tally([
      rec({}),
      rec({ status: 504 }),
      rec({ status: 503 }),
      rec({ status: null, errorCode: 'ECONNREFUSED' }),
      rec({ clientRequestId: 'c-9', status: 500, requestId: undefined, error: 'internal' }),
    ]);
    expect(t).toEqual({
      requests: 5,
      ok: 1,
      failed: 2,
      unavailable: 1,
      refused: 1,
      reset: 0,
      other: 1,
      otherExamples: ['c-9: 500 internal (no request id)'],
    });
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

describe('inFlightAt, servedDuring and repeatedClientIds', () => {
  it('counts the requests sent before a moment and not answered by then', () => {
    const records = [
      rec({ startedAt: 0, endedAt: 99 }),
      rec({ startedAt: 50, endedAt: 150 }),
      rec({ startedAt: 90, endedAt: 400, status: 503 }),
      rec({ startedAt: 100, endedAt: 120 }),
    ];
    expect(inFlightAt(records, 100)).toBe(2);
    expect(inFlightAt(records, 500)).toBe(0);
  });

  it('counts the successful requests sent while the fault lasted', () => {
    const records = [rec({ startedAt: 90 }), rec({ startedAt: 100 }), rec({ startedAt: 150, status: 503 }), rec({ startedAt: 200 }), rec({ startedAt: 201 })];
    expect(servedDuring(records, { startedAt: 100, endedAt: 200 })).toBe(2);
  });

  it('names X-Request-Ids sent more than once', () => {
    expect(repeatedClientIds([rec({ clientRequestId: 'a' }), rec({ clientRequestId: 'b' }), rec({ clientRequestId: 'a' })])).toEqual(['a']);
    expect(repeatedClientIds([rec({ clientRequestId: 'a' }), rec({ clientRequestId: 'b' })])).toEqual([]);
  });
});

describe('crossedAnswers', () => {
  const params = fitGaussianNB(irisDataset());
  const answered = (n: number): RequestRecord => {
    const id = `c-${n}`;
    return rec({
      clientRequestId: id,
      echoedBodyId: id,
      echoedHeaderId: id,
      input: distinctFlower(n),
      modelVersion: 3,
      answer: referenceAnswer(params, distinctFlower(n)),
    });
  };

  it('passes 2xx answers that are each the scoring of their own input', () => {
    expect(crossedAnswers([0, 1, 2, 3].map(answered), new Map([[3, params]]))).toEqual({ checked: 4, wrong: [], indistinguishable: [] });
  });

  it('fails two requests whose answers were crossed, even of the same class', () => {
    const [a, b] = [answered(1), answered(4)];
    expect(a.answer!.prediction).toBe(b.answer!.prediction);
    const result = crossedAnswers([{ ...a, answer: b.answer }, { ...b, answer: a.answer }, answered(2)], new Map([[3, params]]));
    expect(result.wrong.map((w) => w.split(':')[0])).toEqual(['c-1', 'c-4']);
  });

  it('checks only the requests answered 2xx, and fails one whose version it cannot check', () => {
    const failed = rec({ clientRequestId: 'c-8', status: 503, answer: undefined });
    expect(crossedAnswers([failed, answered(5)], new Map()).wrong).toEqual(['c-5: model version 3 has no parameters to check against']);
  });
});

describe('failedOver and rescoredRequests', () => {
  // Worker w1 answered on partitions 0 and 1 before the fault (t 100-200); w2 on partition 2.
  const traffic: TopicTraffic = {
    requestPartitions: new Map([
      ['r1', 0],
      ['r2', 1],
      ['r3', 2],
      ['r4', 0],
      ['r5', 1],
      ['r6', 2],
      ['r7', 0],
    ]),
    replies: [
      { requestId: 'r1', worker: 'w1', at: 50 },
      { requestId: 'r2', worker: 'w1', at: 60 },
      { requestId: 'r3', worker: 'w2', at: 70 },
      // r4 scored by w1 just before it died, then again by w2 after: rescored and failed over.
      { requestId: 'r4', worker: 'w1', at: 90 },
      { requestId: 'r4', worker: 'w2', at: 300 },
      // r5 waited on w1's partition and was scored after the fault by the restarted w1.
      { requestId: 'r5', worker: 'w1', at: 400 },
      // r6 on w2's own partition: not failed over.
      { requestId: 'r6', worker: 'w2', at: 300 },
      // r7 answered during the fault window: not after it ended.
      { requestId: 'r7', worker: 'w2', at: 150 },
    ],
  };

  it('counts requests on the stopped worker’s partitions first answered after the fault ended', () => {
    expect(failedOver(traffic, 'w1', { startedAt: 100, endedAt: 200 })).toBe(1);
    expect(failedOver({ ...traffic, replies: traffic.replies.filter((r) => r.requestId !== 'r4') }, 'w1', { startedAt: 100, endedAt: 200 })).toBe(1);
  });

  it('is 0 for a worker that answered nothing before the fault: it held no partition', () => {
    expect(failedOver(traffic, 'w3', { startedAt: 100, endedAt: 200 })).toBe(0);
  });

  it('counts requests of this run with more than one reply as rescored', () => {
    expect(rescoredRequests(traffic, new Set(['r1', 'r4', 'r5']))).toBe(1);
    expect(rescoredRequests(traffic, new Set(['r1']))).toBe(0);
  });
});

describe('judge', () => {
  const expect_: Expectations = { connectionErrors: 'none', failures: 'allowed', rescored: 'allowed', maxRecoverySeconds: 15, effect: 'checked-by-scenario' };
  const clean: Findings = {
    tally: { requests: 10, ok: 8, failed: 2, unavailable: 1, refused: 0, reset: 0, other: 0, otherExamples: [] },
    droppedInFlight: 0,
    inFlight: 1,
    crossed: [],
    missing: 0,
    duplicates: 0,
    rescored: 0,
    failedOver: 0,
    servedDuring: 3,
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
        crossed: ['c-1: virginica (class 2) instead of setosa (class 0)', 'c-2: probability 0.5 instead of 0.6'],
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
      '2 2xx answer(s) are not the scoring of their own input, e.g. c-1: virginica (class 2) instead of setosa (class 0); c-2: probability 0.5 instead of 0.6',
      '1 request(s) answered 2xx have no prediction in Elasticsearch',
      '2 request(s) have more than one prediction document (counted by client_request_id)',
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

  describe('passes a scenario only if its fault took effect', () => {
    const none: Findings = { ...clean, tally: { ...clean.tally, failed: 0, unavailable: 0 }, inFlight: 0, servedDuring: 0 };
    it.each<[Expectations['effect'], Partial<Findings>, string, string]>([
      ['unavailable', { tally: { ...none.tally, failed: 3, unavailable: 2 } }, 'no request got a 503 while the broker was unreachable', '2 × 503'],
      ['failover', { failedOver: 4 }, 'no request was rescored or failed over from the stopped worker', '0 rescored, 4 failed over'],
      ['failover', { rescored: 2 }, 'no request was rescored or failed over from the stopped worker', '2 rescored, 0 failed over'],
      ['in-flight', { inFlight: 4 }, 'no request was in flight when the signal came', '4 in flight at the signal'],
      [
        'connection-errors',
        { tally: { ...none.tally, refused: 3, reset: 1 } },
        'no connection was refused or reset while the gateway was down',
        '4 connection(s) refused or reset',
      ],
      ['served-during', { servedDuring: 7 }, 'no request sent while the fault lasted succeeded', '7 served while the fault lasted'],
    ])('%s', (effect, shown, missing, evidence) => {
      const expectation = { ...expect_, connectionErrors: 'any' as const, effect };
      expect(judge(none, expectation)).toEqual([`the fault did not take effect: ${missing}`]);
      expect(judge({ ...none, ...shown }, expectation)).toEqual([]);
      expect(effectEvidence({ ...none, ...shown }, effect)).toBe(evidence);
    });

    it('a 504 alone does not show a broker outage: the gateway answers 503 when it cannot publish', () => {
      expect(judge({ ...none, tally: { ...none.tally, failed: 5, unavailable: 0 } }, { ...expect_, effect: 'unavailable' })).toEqual([
        'the fault did not take effect: no request got a 503 while the broker was unreachable',
      ]);
    });

    it('leaves the effect to the scenario’s own checks where it says so', () => {
      expect(judge(none, { ...expect_, effect: 'checked-by-scenario' })).toEqual([]);
    });
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
