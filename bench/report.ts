import { OTHER_PROCESSES } from './proc-sampler';
import type { BenchResults, Comparison, Round, RunSummary } from './results';
import { median } from './stats';

export interface TargetCheck {
  target: string;
  measured: string;
  /** null: not measured in this run (e.g. BENCH_CONNECTIONS without 64). */
  pass: boolean | null;
}

/** Peak RSS per Node service under load; the embedded process (all four in one) gets more. */
export const RSS_LIMIT_MB = 150;
export const EMBEDDED_RSS_LIMIT_MB = 250;
export const IDLE_LIMIT_PCT = 10;
export const SCORING_TARGET = 1_000_000;

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const num = (v: number) => Math.round(v).toLocaleString('en-US');
const notMeasured = (target: string): TargetCheck => ({ target, measured: 'not measured', pass: null });
const cpuMs = (v: number) => `${v.toFixed(2)} ms`;

/** The ours-side rounds that went through Kafka and were checked against Elasticsearch. */
function kafkaRounds(r: BenchResults): Round[] {
  return [...Object.values(r.closed_loop), ...(r.open_loop ? [r.open_loop] : [])].flatMap((c) => c.rounds.ours);
}

function allRounds(r: BenchResults): Round[] {
  const comparisons: Comparison[] = [...Object.values(r.closed_loop), ...(r.open_loop ? [r.open_loop] : []), ...(r.embedded ? [r.embedded] : [])];
  return comparisons.flatMap((c) => [...c.rounds.ours, ...c.rounds.baseline, ...(c.rounds.baseline_2w ?? [])]);
}

export function evaluateTargets(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const c16 = r.closed_loop['16'];
  const c64 = r.closed_loop['64'];
  if (c16) {
    const b2 = c16.baseline_2w;
    if (b2) {
      checks.push({
        target: 'Kafka path, 16 connections: ≥ 1.0× the req/s of the baseline with `--workers 2` (the same two cores)',
        measured: `${c16.ratio_rps_2w!.toFixed(2)}× (${num(c16.ours.rps)} vs ${num(b2.rps)} req/s; ${c16.ratio_rps.toFixed(2)}× the one-worker baseline's ${num(c16.baseline.rps)})`,
        pass: c16.ratio_rps_2w! >= 1,
      });
      checks.push({
        target: "Kafka path, 16 connections: the machine's CPU per prediction below the baseline's (`--workers 2`)",
        measured: `${cpuMs(c16.ours.cpu_ms_per_request)} vs ${cpuMs(b2.cpu_ms_per_request)} (one worker: ${cpuMs(c16.baseline.cpu_ms_per_request)})`,
        pass: c16.ours.cpu_ms_per_request < b2.cpu_ms_per_request,
      });
    } else {
      checks.push(notMeasured('Kafka path, 16 connections: ≥ 1.0× the req/s of the baseline with `--workers 2` (the same two cores)'));
    }
    checks.push({ target: 'Kafka path, 16 connections: p99 ≤ 20 ms', measured: ms(c16.ours.p99_ms), pass: c16.ours.p99_ms <= 20 });
    checks.push({ target: 'Kafka path, 16 connections: zero errors', measured: `${c16.ours.errors}`, pass: c16.ours.errors === 0 });
  } else {
    checks.push(notMeasured('Kafka path, 16 connections: ≥ 1.0× the `--workers 2` baseline, CPU per prediction below it, p99 ≤ 20 ms, zero errors'));
  }
  if (c64) {
    checks.push({ target: 'Kafka path, 64 connections: zero errors', measured: `${c64.ours.errors}`, pass: c64.ours.errors === 0 });
    checks.push({ target: 'Kafka path, 64 connections: p99 ≤ 50 ms', measured: ms(c64.ours.p99_ms), pass: c64.ours.p99_ms <= 50 });
  } else {
    checks.push(notMeasured('Kafka path, 64 connections: zero errors, p99 ≤ 50 ms'));
  }
  if (r.embedded) {
    checks.push({
      target: 'Embedded (`npm start`), 16 connections: ≥ 3× baseline req/s',
      measured: `${r.embedded.ratio_rps.toFixed(2)}× (${num(r.embedded.ours.rps)} vs ${num(r.embedded.baseline.rps)} req/s)`,
      pass: r.embedded.ratio_rps >= 3,
    });
  } else {
    checks.push(notMeasured('Embedded (`npm start`), 16 connections: ≥ 3× baseline req/s'));
  }
  const checkedRounds = allRounds(r).filter((x) => x.wrong_answers !== null);
  if (checkedRounds.length > 0) {
    const wrong = checkedRounds.reduce((n, x) => n + x.wrong_answers!, 0);
    const checked = checkedRounds.reduce((n, x) => n + x.ok_2xx, 0);
    checks.push({
      target: 'Every 2xx answer is its own input’s (ours and the baselines; a crossed or wrong answer is an error)',
      measured: `${num(wrong)} wrong of ${num(checked)} answers checked`,
      pass: wrong === 0,
    });
  } else {
    checks.push(notMeasured('Every 2xx answer is its own input’s (ours and the baselines; a crossed or wrong answer is an error)'));
  }
  const rounds = kafkaRounds(r);
  const lags = rounds.filter((x) => x.lag).map((x) => x.lag!);
  if (lags.length > 0) {
    const worst = Math.max(...lags.map((l) => l.after_followup));
    const followup = lags[0].followup_s;
    checks.push({
      target: `Monitor lag 0 within ${followup} s after the load stops`,
      measured: worst === 0 ? `0 after every run (${lags.length} runs)` : `up to ${num(worst)} messages behind ${followup} s after a run`,
      pass: worst === 0,
    });
  } else {
    checks.push(notMeasured('Monitor lag 0 within 5 s after the load stops'));
  }
  const counts = rounds.filter((x) => x.elasticsearch).map((x) => x.elasticsearch!);
  if (counts.length > 0) {
    const good = counts.filter((c) => c.exactly_once).length;
    const missing = counts.reduce((s, c) => s + Math.max(0, c.missing), 0);
    const dup = counts.reduce((s, c) => s + c.duplicated_ids, 0);
    checks.push({
      target: 'Elasticsearch holds every 2xx prediction exactly once',
      measured: `${good}/${counts.length} runs exact; ${num(missing)} missing, ${num(dup)} duplicated`,
      pass: good === counts.length,
    });
  } else {
    checks.push(notMeasured('Elasticsearch holds every 2xx prediction exactly once'));
  }
  const peaks = servicePeakRss(r);
  const rssTarget = `Each Node service ≤ ${RSS_LIMIT_MB} MB RSS under load, embedded ≤ ${EMBEDDED_RSS_LIMIT_MB} MB`;
  if (peaks.length > 0) {
    const over = peaks.filter(([name, mb]) => mb > (name === 'embedded' ? EMBEDDED_RSS_LIMIT_MB : RSS_LIMIT_MB));
    const list = (ps: Array<[string, number]>) => ps.map(([name, mb]) => `${name} ${mb.toFixed(0)} MB`).join(', ');
    checks.push({
      target: rssTarget,
      measured: over.length > 0 ? `over: ${list(over)}` : `largest: ${list(peaks.slice(0, 1))}`,
      pass: over.length === 0,
    });
  } else {
    checks.push(notMeasured(rssTarget));
  }
  if (r.idle) {
    const pct = r.idle.kafka_and_services_pct_of_core;
    checks.push({ target: `Idle stack (Kafka + services) ≤ ${IDLE_LIMIT_PCT}% of one core`, measured: `${pct.toFixed(1)}%`, pass: pct <= IDLE_LIMIT_PCT });
  } else {
    checks.push(notMeasured(`Idle stack (Kafka + services) ≤ ${IDLE_LIMIT_PCT}% of one core`));
  }
  const rows = r.scoring.rows_per_s_per_core;
  checks.push({ target: 'Scoring ≥ 1,000,000 rows/s per core (batches)', measured: `${(rows / 1e6).toFixed(2)} M rows/s`, pass: rows >= SCORING_TARGET });
  return checks;
}

/** Largest RSS of each platform service over every load run, largest first. */
export function servicePeakRss(r: BenchResults): Array<[string, number]> {
  const comparisons: Comparison[] = [...Object.values(r.closed_loop), ...(r.open_loop ? [r.open_loop] : []), ...(r.embedded ? [r.embedded] : [])];
  const peak = new Map<string, number>();
  for (const c of comparisons) {
    for (const [name, usage] of Object.entries(c.ours.processes)) {
      if (r.services.includes(name)) peak.set(name, Math.max(peak.get(name) ?? 0, usage.peak_rss_mb));
    }
  }
  return [...peak.entries()].sort((a, b) => b[1] - a[1]);
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "other processes" is the rest of the machine: CPU only. */
const rss = (name: string, mb: number) => (name === OTHER_PROCESSES ? '—' : `${mb.toFixed(0)} MB`);
const verdict = (pass: boolean | null) => (pass === null ? '—' : pass ? 'PASS' : 'FAIL');

function runRow(label: string, who: string, s: RunSummary): string[] {
  return [label, who, num(s.rps), ms(s.p50_ms), ms(s.p90_ms), ms(s.p99_ms), ms(s.max_ms), String(s.errors), cpuMs(s.cpu_ms_per_request)];
}

/** Everything measured, as the markdown section bench/README.md carries between its markers. */
export function renderReport(r: BenchResults, checks: TargetCheck[]): string {
  const out: string[] = [];
  out.push(
    `Measured ${r.generated_at.slice(0, 16).replace('T', ' ')} UTC at ${r.git_commit}, ${r.machine.cpus} × ${r.machine.cpu_model}, Node ${r.machine.node}; ` +
      `${String(r.config.rounds)} round(s) of ${String(r.config.duration_s)} s per run, medians; ${String(r.config.workers)} inference worker(s)` +
      (r.config.quick ? ' (BENCH_QUICK: indicative only).' : '.'),
  );
  const others = allRounds(r)
    .map((x) => x.processes[OTHER_PROCESSES]?.cpu_pct_of_core)
    .filter((v): v is number => v !== undefined);
  if (others.length > 0) {
    out.push(
      `Other work on this shared machine used a median ${median(others).toFixed(0)}% (at most ${Math.max(...others).toFixed(0)}%) of one core during the measured runs; it competes with both sides.`,
    );
  }
  out.push(
    '',
    markdownTable(
      ['target', 'measured', ''],
      checks.map((c) => [c.target, c.measured, verdict(c.pass)]),
    ),
  );
  if (r.embedded && r.closed_loop['16']) {
    out.push(
      '',
      `The baseline runs beside the idle Kafka stack in the Kafka-path rounds (${num(r.closed_loop['16'].baseline.rps)} req/s at 16 connections) ` +
        `and alone in the embedded rounds (${num(r.embedded.baseline.rps)} req/s): each ratio is against the baseline measured in the same conditions.`,
    );
  }

  const runs: string[][] = [];
  for (const [conns, c] of Object.entries(r.closed_loop)) {
    runs.push(runRow(`closed loop, ${conns} conn.`, 'ours (Kafka)', c.ours), runRow(`closed loop, ${conns} conn.`, 'baseline', c.baseline));
    if (c.baseline_2w) runs.push(runRow(`closed loop, ${conns} conn.`, 'baseline, 2 workers', c.baseline_2w));
  }
  if (r.open_loop) {
    const label = `open loop, ${num(r.open_loop.target_rps)} req/s`;
    runs.push(openRow(label, 'ours (Kafka)', r.open_loop.ours), openRow(label, 'baseline', r.open_loop.baseline));
  }
  if (r.embedded)
    runs.push(runRow('closed loop, 16 conn.', 'ours (embedded)', r.embedded.ours), runRow('closed loop, 16 conn.', 'baseline', r.embedded.baseline));
  out.push(
    '',
    "CPU / req is the whole machine's busy time (every process, the load generator included) over the 2xx answers.",
    '',
    markdownTable(['run', 'service', 'req/s (2xx)', 'p50', 'p90', 'p99', 'max', 'errors + non-2xx', 'CPU / req'], runs),
  );

  const c16 = r.closed_loop['16'];
  if (c16) {
    const names = [...new Set([...Object.keys(c16.ours.processes), ...Object.keys(c16.baseline.processes)])];
    out.push(
      '',
      'CPU and memory per process, closed loop at 16 connections (median CPU over the rounds, largest RSS):',
      '',
      markdownTable(
        ['process', 'during ours: CPU s', '% of a core', 'peak RSS', 'during baseline: CPU s', '% of a core', 'peak RSS'],
        names.map((n) => {
          const o = c16.ours.processes[n];
          const b = c16.baseline.processes[n];
          return [
            n,
            ...(o ? [o.cpu_s.toFixed(2), `${o.cpu_pct_of_core.toFixed(0)}%`, rss(n, o.peak_rss_mb)] : ['', '', '']),
            ...(b ? [b.cpu_s.toFixed(2), `${b.cpu_pct_of_core.toFixed(0)}%`, rss(n, b.peak_rss_mb)] : ['', '', '']),
          ];
        }),
      ),
    );
  }

  const checked = [...Object.entries(r.closed_loop).map(([k, c]) => [`closed ${k}`, c] as const), ...(r.open_loop ? [['open', r.open_loop] as const] : [])];
  const lagRows = checked.flatMap(([label, c]) =>
    c.rounds.ours.map((x) => [
      `${label} #${x.round}`,
      num(x.ok_2xx),
      x.elasticsearch ? num(x.elasticsearch.docs) : '',
      x.elasticsearch ? num(x.elasticsearch.distinct_ids) : '',
      x.elasticsearch ? num(x.elasticsearch.missing) : '',
      x.elasticsearch ? num(x.elasticsearch.indexed_without_2xx) : '',
      x.lag ? num(x.lag.at_end) : '',
      x.lag ? num(x.lag.after_followup) : '',
      x.lag ? (x.lag.zero_after_s === null ? 'not within timeout' : `${x.lag.zero_after_s.toFixed(2)} s`) : '',
    ]),
  );
  if (lagRows.length > 0) {
    out.push(
      '',
      "Monitor and Elasticsearch after each Kafka-path run (documents counted by the run's X-Request-Id prefix):",
      '',
      markdownTable(
        [
          'run',
          '2xx',
          'ES docs',
          'distinct ids',
          'missing',
          'indexed, no 2xx (in flight at stop)',
          'lag at end',
          `lag +${lagRowsFollowup(checked)} s`,
          'lag 0 after',
        ],
        lagRows,
      ),
    );
  }

  if (r.idle) {
    out.push(
      '',
      `Idle for ${r.idle.seconds} s after the load (% of one core):`,
      '',
      markdownTable(
        ['process', 'CPU', 'RSS'],
        Object.entries(r.idle.processes).map(([n, u]) => [n, `${u.cpu_pct_of_core.toFixed(1)}%`, rss(n, u.peak_rss_mb)]),
      ),
    );
  }
  out.push(
    '',
    `Scoring micro-benchmark: ${num(r.scoring.rows_per_s_per_core)} rows/s on one core (batches of ${r.scoring.batch_rows}, median of ${r.scoring.samples}).`,
  );
  return out.join('\n');
}

function lagRowsFollowup(checked: ReadonlyArray<readonly [string, Comparison]>): number {
  for (const [, c] of checked) for (const x of c.rounds.ours) if (x.lag) return x.lag.followup_s;
  return 5;
}

function openRow(label: string, who: string, s: RunSummary): string[] {
  const row = runRow(label, who, s);
  row[2] = `${row[2]} (${s.rate_held ? 'rate held' : 'rate NOT held'})`;
  return row;
}

export const README_START = '<!-- bench:results:start -->';
export const README_END = '<!-- bench:results:end -->';

/** README text with the section between the markers replaced (markers appended when missing). */
export function replaceResultsSection(readme: string, section: string): string {
  const block = `${README_START}\n${section}\n${README_END}`;
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return `${readme.replace(/\n*$/, '')}\n\n${block}\n`;
  return readme.slice(0, start) + block + readme.slice(end + README_END.length);
}
