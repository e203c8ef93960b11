import { compare, cpuMsPerRequest, exactlyOnce, summarizeRounds, type Round } from './results';

function round(n: number, rps: number, p99: number, extra: Partial<Round> = {}): Round {
  return {
    round: n,
    mode: 'closed',
    connections: 16,
    target_rps: null,
    duration_s: 10,
    rps,
    n: rps * 10,
    p50_ms: rps / 100,
    p90_ms: p99 / 2,
    p99_ms: p99,
    max_ms: p99 * 2,
    sent: rps * 10,
    ok_2xx: rps * 10,
    non_2xx: 0,
    errors: 0,
    wrong_answers: 0,
    rate_held: null,
    max_send_lag_ms: null,
    processes: { gateway: { pid: 1, cpu_s: rps / 100, cpu_pct_of_core: rps / 10, peak_rss_mb: rps / 5 } },
    ...extra,
  };
}

describe('summarizeRounds', () => {
  it('reports the median of each figure over the rounds, sums errors, keeps the largest RSS', () => {
    const s = summarizeRounds([round(1, 500, 30, { errors: 2 }), round(2, 700, 10), round(3, 600, 20, { non_2xx: 3 })]);
    expect(s).toEqual({
      rounds: 3,
      rps: 600,
      p50_ms: 6,
      p90_ms: 10,
      p99_ms: 20,
      max_ms: 40,
      errors: 5,
      wrong_answers: 0,
      cpu_ms_per_request: 1,
      processes: { gateway: { cpu_s: 6, cpu_pct_of_core: 60, peak_rss_mb: 140 } },
    });
  });

  it('holds the open-loop rate only if every round held it', () => {
    expect(summarizeRounds([round(1, 5, 1, { rate_held: true }), round(2, 5, 1, { rate_held: false })]).rate_held).toBe(false);
    expect(summarizeRounds([round(1, 5, 1, { rate_held: true })]).rate_held).toBe(true);
    expect(summarizeRounds([round(1, 5, 1)])).not.toHaveProperty('rate_held');
  });
});

describe('compare', () => {
  it("divides our median req/s by the baseline's", () => {
    const c = compare([round(1, 300, 1), round(2, 500, 1)], [round(1, 1000, 1), round(2, 600, 1)]);
    expect([c.ours.rps, c.baseline.rps, c.ratio_rps]).toEqual([400, 800, 0.5]);
    expect(c).not.toHaveProperty('baseline_2w');
  });

  it('compares against the two-worker baseline too when it ran', () => {
    const c = compare([round(1, 300, 1), round(2, 500, 1)], [round(1, 1000, 1)], [round(1, 2000, 1), round(2, 1000, 1), round(3, 1600, 1)]);
    expect([c.baseline_2w!.rps, c.ratio_rps_2w, c.rounds.baseline_2w!.length]).toEqual([1600, 0.25, 3]);
  });
});

describe('cpuMsPerRequest', () => {
  it("is the machine's busy time (every process, the rest of the machine included) over the 2xx answers", () => {
    const processes = {
      gateway: { pid: 1, cpu_s: 1.5, cpu_pct_of_core: 15, peak_rss_mb: 100 },
      'other processes': { pid: 0, cpu_s: 0.5, cpu_pct_of_core: 5, peak_rss_mb: 0 },
    };
    expect(cpuMsPerRequest({ processes, ok_2xx: 4000 })).toBe(0.5);
    expect(cpuMsPerRequest({ processes, ok_2xx: 0 })).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('exactlyOnce', () => {
  const count = { field: 'request_id', docs: 120, distinct_ids: 120, duplicated_ids: 0, indexed_without_2xx: 16 };

  it('holds when every 2xx id is indexed once (ids in flight at the stop aside)', () => {
    expect(exactlyOnce(count, 104)).toEqual({ ...count, ok_2xx: 104, missing: 0, exactly_once: true });
  });

  it('fails with the number of 2xx predictions missing', () => {
    expect(exactlyOnce(count, 110)).toMatchObject({ missing: 6, exactly_once: false });
  });

  it('fails when an id was indexed twice', () => {
    expect(exactlyOnce({ ...count, docs: 121, duplicated_ids: 1 }, 104)).toMatchObject({ missing: 0, exactly_once: false });
  });
});
