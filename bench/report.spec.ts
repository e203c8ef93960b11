import { evaluateTargets, markdownTable, README_END, README_START, renderReport, replaceResultsSection } from './report';
import { OTHER_PROCESSES } from './proc-sampler';
import { compare, type BenchResults, type Round } from './results';

function round(rps: number, p99: number, extra: Partial<Round> = {}): Round {
  return {
    round: 1,
    mode: 'closed',
    connections: 16,
    target_rps: null,
    duration_s: 10,
    rps,
    n: rps * 10,
    p50_ms: 1,
    p90_ms: 2,
    p99_ms: p99,
    max_ms: p99 + 1,
    sent: rps * 10,
    ok_2xx: rps * 10,
    non_2xx: 0,
    errors: 0,
    wrong_answers: 0,
    rate_held: null,
    max_send_lag_ms: null,
    processes: {},
    ...extra,
  };
}

const lagOk = { at_end: 40, after_followup: 0, followup_s: 5, zero_after_s: 0.5 };
const esOk = { field: 'request_id', docs: 10, distinct_ids: 10, duplicated_ids: 0, indexed_without_2xx: 0, ok_2xx: 10, missing: 0, exactly_once: true };

/**
 * A run that meets every target: 16 connections at 2× the two-worker baseline (2.5× the one-worker
 * one) for 0.2 ms of CPU per request against its 0.8, p99 15 ms; 64 at p99 40 ms; embedded 3.5×.
 */
function passing(): BenchResults {
  const ours16 = round(2500, 15, { lag: lagOk, elasticsearch: esOk, processes: { gateway: { pid: 1, cpu_s: 5, cpu_pct_of_core: 50, peak_rss_mb: 150 } } });
  const ours64 = round(2600, 40, {
    connections: 64,
    lag: lagOk,
    elasticsearch: esOk,
    processes: { monitor: { pid: 2, cpu_s: 2, cpu_pct_of_core: 20, peak_rss_mb: 140 } },
  });
  return {
    generated_at: '2026-11-28T12:00:00.000Z',
    git_commit: 'abc1234',
    machine: { cpus: 2, cpu_model: 'AMD EPYC', node: 'v24.0.0' },
    config: { rounds: 1, duration_s: 10, workers: 1, quick: false },
    ours: { rps: 2500, p50_ms: 1, p99_ms: 15, errors: 0 },
    baseline: { rps: 1000, p50_ms: 1, p99_ms: 15 },
    ratio_rps: 2.5,
    closed_loop: {
      '16': compare(
        [ours16],
        [round(1000, 15, { processes: { [OTHER_PROCESSES]: { pid: 0, cpu_s: 9, cpu_pct_of_core: 90, peak_rss_mb: 0 } } })],
        [round(1250, 15, { processes: { [OTHER_PROCESSES]: { pid: 0, cpu_s: 10, cpu_pct_of_core: 100, peak_rss_mb: 0 } } })],
      ),
      '64': compare([ours64], [round(1000, 60, { connections: 64 })]),
    },
    open_loop: null,
    embedded: compare([round(3500, 10, { processes: { embedded: { pid: 3, cpu_s: 9, cpu_pct_of_core: 90, peak_rss_mb: 199 } } })], [round(1000, 15)]),
    idle: { seconds: 10, processes: {}, kafka_and_services_pct_of_core: 9.5 },
    scoring: { batch_rows: 1000, samples: 7, rows_per_s_per_core: 5_800_000 },
    services: ['gateway', 'monitor', 'embedded'],
  };
}

describe('evaluateTargets', () => {
  it('passes every target of a run that meets them, with what was measured', () => {
    expect(evaluateTargets(passing())).toEqual([
      {
        target: 'Kafka path, 16 connections: ≥ 1.0× the req/s of the baseline with `--workers 2` (the same two cores)',
        measured: "2.00× (2,500 vs 1,250 req/s; 2.50× the one-worker baseline's 1,000)",
        pass: true,
      },
      {
        target: "Kafka path, 16 connections: the machine's CPU per prediction below the baseline's (`--workers 2`)",
        measured: '0.20 ms vs 0.80 ms (one worker: 0.90 ms)',
        pass: true,
      },
      { target: 'Kafka path, 16 connections: p99 ≤ 20 ms', measured: '15.0 ms', pass: true },
      { target: 'Kafka path, 16 connections: zero errors', measured: '0', pass: true },
      { target: 'Kafka path, 64 connections: zero errors', measured: '0', pass: true },
      { target: 'Kafka path, 64 connections: p99 ≤ 50 ms', measured: '40.0 ms', pass: true },
      { target: 'Embedded (`npm start`), 16 connections: ≥ 3× baseline req/s', measured: '3.50× (3,500 vs 1,000 req/s)', pass: true },
      {
        target: 'Every 2xx answer is its own input’s (ours and the baselines; a crossed or wrong answer is an error)',
        measured: '0 wrong of 128,500 answers checked',
        pass: true,
      },
      { target: 'Monitor lag 0 within 5 s after the load stops', measured: '0 after every run (2 runs)', pass: true },
      { target: 'Elasticsearch holds every 2xx prediction exactly once', measured: '2/2 runs exact; 0 missing, 0 duplicated', pass: true },
      { target: 'Each Node service ≤ 150 MB RSS under load, embedded ≤ 250 MB', measured: 'largest: embedded 199 MB', pass: true },
      { target: 'Idle stack (Kafka + services) ≤ 10% of one core', measured: '9.5%', pass: true },
      { target: 'Scoring ≥ 1,000,000 rows/s per core (batches)', measured: '5.80 M rows/s', pass: true },
    ]);
  });

  it('fails each target that is missed, by how much', () => {
    const r = passing();
    const c16 = r.closed_loop['16'];
    c16.ours = { ...c16.ours, rps: 1900, p99_ms: 20.5, errors: 3, cpu_ms_per_request: 1 };
    c16.ratio_rps = 1.9;
    c16.ratio_rps_2w = 0.95;
    c16.rounds.ours[0] = { ...c16.rounds.ours[0], lag: { ...lagOk, after_followup: 12 }, elasticsearch: { ...esOk, missing: 4, exactly_once: false } };
    r.closed_loop['64'].ours.processes.monitor.peak_rss_mb = 291;
    r.idle!.kafka_and_services_pct_of_core = 25;
    r.scoring.rows_per_s_per_core = 900_000;
    r.closed_loop['64'].rounds.baseline[0].wrong_answers = 2;
    const failed = evaluateTargets(r).filter((c) => c.pass === false);
    expect(failed.map((c) => [c.target, c.measured])).toEqual([
      [
        'Kafka path, 16 connections: ≥ 1.0× the req/s of the baseline with `--workers 2` (the same two cores)',
        "0.95× (1,900 vs 1,250 req/s; 1.90× the one-worker baseline's 1,000)",
      ],
      ["Kafka path, 16 connections: the machine's CPU per prediction below the baseline's (`--workers 2`)", '1.00 ms vs 0.80 ms (one worker: 0.90 ms)'],
      ['Kafka path, 16 connections: p99 ≤ 20 ms', '20.5 ms'],
      ['Kafka path, 16 connections: zero errors', '3'],
      ['Every 2xx answer is its own input’s (ours and the baselines; a crossed or wrong answer is an error)', '2 wrong of 128,500 answers checked'],
      ['Monitor lag 0 within 5 s after the load stops', 'up to 12 messages behind 5 s after a run'],
      ['Elasticsearch holds every 2xx prediction exactly once', '1/2 runs exact; 4 missing, 0 duplicated'],
      ['Each Node service ≤ 150 MB RSS under load, embedded ≤ 250 MB', 'over: monitor 291 MB'],
      ['Idle stack (Kafka + services) ≤ 10% of one core', '25.0%'],
      ['Scoring ≥ 1,000,000 rows/s per core (batches)', '0.90 M rows/s'],
    ]);
  });

  it('says "not measured" rather than pass or fail for a run kind that was skipped', () => {
    const r = passing();
    delete r.closed_loop['64'];
    r.embedded = null;
    const skipped = evaluateTargets(r).filter((c) => c.pass === null);
    expect(skipped).toEqual([
      { target: 'Kafka path, 64 connections: zero errors, p99 ≤ 50 ms', measured: 'not measured', pass: null },
      { target: 'Embedded (`npm start`), 16 connections: ≥ 3× baseline req/s', measured: 'not measured', pass: null },
    ]);
  });
});

describe('markdownTable', () => {
  it('renders a header, a separator and the rows', () => {
    expect(
      markdownTable(
        ['a', 'b'],
        [
          ['1', '2'],
          ['3', '4'],
        ],
      ),
    ).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |');
  });
});

describe('renderReport', () => {
  it('puts each target with its verdict in the first table', () => {
    const r = passing();
    const text = renderReport(r, evaluateTargets(r));
    expect(text).toContain('| Kafka path, 16 connections: p99 ≤ 20 ms | 15.0 ms | PASS |');
    expect(text).toContain('| closed loop, 16 conn. | ours (Kafka) | 2,500 | 1.00 ms | 2.00 ms | 15.0 ms | 16.0 ms | 0 | 0.20 ms |');
    expect(text).toContain('| closed loop, 16 conn. | baseline, 2 workers | 1,250 | 1.00 ms | 2.00 ms | 15.0 ms | 16.0 ms | 0 | 0.80 ms |');
    expect(
      text.startsWith('Measured 2026-11-28 12:00 UTC at abc1234, 2 × AMD EPYC, Node v24.0.0; 1 round(s) of 10 s per run, medians; 1 inference worker(s).'),
    ).toBe(true);
  });
});

describe('replaceResultsSection', () => {
  it('replaces only what is between the markers', () => {
    const readme = `# Bench\n\nintro\n\n${README_START}\nold table\n${README_END}\n\nafter\n`;
    expect(replaceResultsSection(readme, 'new table')).toBe(`# Bench\n\nintro\n\n${README_START}\nnew table\n${README_END}\n\nafter\n`);
  });

  it('appends the markers and the section when the README has none', () => {
    expect(replaceResultsSection('# Bench\n\n', 'table')).toBe(`# Bench\n\n${README_START}\ntable\n${README_END}\n`);
  });
});
