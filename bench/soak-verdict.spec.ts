import { counterTotal, DROPPED_METRIC, soakProblems } from './soak-verdict';

const HEADER = `# HELP ${DROPPED_METRIC} Records the in-process bus dropped\n# TYPE ${DROPPED_METRIC} counter\n`;

describe('counterTotal', () => {
  it('adds every labelled series of the counter, and nothing of a metric whose name it prefixes', () => {
    const text =
      HEADER +
      `${DROPPED_METRIC}{topic="ml.prediction.made.v1"} 3\n${DROPPED_METRIC}{topic="ml.prediction.requested.v1"} 4\n` +
      `# TYPE ${DROPPED_METRIC}_other counter\n${DROPPED_METRIC}_other{topic="x"} 100\n`;
    expect(counterTotal(text, DROPPED_METRIC)).toBe(7);
  });

  it('is 0 for a counter exported with no series yet (prom-client prints only its HELP and TYPE)', () => {
    expect(counterTotal(HEADER + 'nodejs_heap_size_used_bytes 1\n', DROPPED_METRIC)).toBe(0);
  });

  it('is null for a counter the process does not export', () => {
    expect(counterTotal('# TYPE nodejs_heap_size_used_bytes gauge\nnodejs_heap_size_used_bytes 1\n', DROPPED_METRIC)).toBeNull();
  });
});

describe('soakProblems', () => {
  it('passes a soak with no failed batch and no dropped record', () => {
    expect(soakProblems({ failures: 0, records_dropped: 0 })).toEqual([]);
  });

  it('fails on a dropped record, on a failed batch, and on a dropped-records metric it could not read', () => {
    expect(soakProblems({ failures: 2, records_dropped: 5 })).toEqual([
      '2 batch(es) not answered with a 2xx',
      `5 record(s) dropped unread by the in-process bus (${DROPPED_METRIC})`,
    ]);
    expect(soakProblems({ failures: 0, records_dropped: null })).toEqual([`the process does not export ${DROPPED_METRIC}`]);
  });
});
