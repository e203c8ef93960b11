import type { IndexedCount } from './es-count';
import type { LagAfterLoad } from './kafka-lag';
import type { LoadResult } from './load';
import type { ProcessUsage } from './proc-sampler';
import type { ScoringResult } from './scoring';
import { median } from './stats';

export interface ExactlyOnce extends IndexedCount {
  ok_2xx: number;
  /** 2xx answers with no prediction document. */
  missing: number;
  /** Every 2xx answer indexed, none twice. */
  exactly_once: boolean;
}

/** One measured run of one target. */
export interface Round extends LoadResult {
  round: number;
  processes: Record<string, ProcessUsage>;
  lag?: LagAfterLoad;
  elasticsearch?: ExactlyOnce;
}

/** Medians over the rounds of one run kind; errors are summed, since any error counts. */
export interface RunSummary {
  rounds: number;
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Connection errors, timeouts, non-2xx answers and wrong answers over all rounds. */
  errors: number;
  /** 2xx answers that were not their own input's answer (crossed or wrong), over all rounds; null when not checked. */
  wrong_answers: number | null;
  rate_held?: boolean;
  /**
   * CPU of the whole machine per answered request, in ms (median over the rounds): every process's
   * busy time, the load generator's and other work included, over the 2xx answers.
   */
  cpu_ms_per_request: number;
  /** Median CPU seconds and largest RSS per process over the rounds. */
  processes: Record<string, { cpu_s: number; cpu_pct_of_core: number; peak_rss_mb: number }>;
}

export interface Comparison {
  ours: RunSummary;
  /** The seed as it ships: uvicorn with one worker, one core. */
  baseline: RunSummary;
  ratio_rps: number;
  /** The same service with `--workers 2`: the two cores the stack uses (closed loop only). */
  baseline_2w?: RunSummary;
  ratio_rps_2w?: number;
  rounds: { ours: Round[]; baseline: Round[]; baseline_2w?: Round[] };
}

export interface IdleMeasurement {
  seconds: number;
  processes: Record<string, ProcessUsage>;
  /** Kafka + trainer + workers + monitor + gateway, in % of one core (Elasticsearch apart). */
  kafka_and_services_pct_of_core: number;
}

export interface BenchResults {
  generated_at: string;
  git_commit: string;
  machine: { cpus: number; cpu_model: string; node: string };
  config: Record<string, unknown>;
  /** At 16 connections: the figures the issue asks for up front. */
  ours: { rps: number; p50_ms: number; p99_ms: number; errors: number } | null;
  baseline: { rps: number; p50_ms: number; p99_ms: number } | null;
  ratio_rps: number | null;
  /** The baseline with `--workers 2` at 16 connections, and ours against it: the headline. */
  baseline_2w?: { rps: number; p50_ms: number; p99_ms: number } | null;
  ratio_rps_2w?: number | null;
  closed_loop: Record<string, Comparison>;
  open_loop: (Comparison & { target_rps: number }) | null;
  embedded: Comparison | null;
  idle: IdleMeasurement | null;
  scoring: ScoringResult;
  /** Names of the processes that are platform services (the RSS target applies to them). */
  services: string[];
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

export function summarizeRounds(rounds: readonly Round[]): RunSummary {
  const m = (pick: (r: Round) => number) => r3(median(rounds.map(pick)));
  const names = [...new Set(rounds.flatMap((r) => Object.keys(r.processes)))];
  const processes = Object.fromEntries(
    names.map((name) => {
      const usages = rounds.map((r) => r.processes[name]).filter((u): u is ProcessUsage => u !== undefined);
      return [
        name,
        {
          cpu_s: r3(median(usages.map((u) => u.cpu_s))),
          cpu_pct_of_core: r3(median(usages.map((u) => u.cpu_pct_of_core))),
          peak_rss_mb: Math.max(...usages.map((u) => u.peak_rss_mb)),
        },
      ];
    }),
  );
  const summary: RunSummary = {
    rounds: rounds.length,
    rps: m((r) => r.rps),
    p50_ms: m((r) => r.p50_ms),
    p90_ms: m((r) => r.p90_ms),
    p99_ms: m((r) => r.p99_ms),
    max_ms: m((r) => r.max_ms),
    errors: rounds.reduce((s, r) => s + r.errors + r.non_2xx + (r.wrong_answers ?? 0), 0),
    wrong_answers: rounds.some((r) => r.wrong_answers !== null) ? rounds.reduce((s, r) => s + (r.wrong_answers ?? 0), 0) : null,
    cpu_ms_per_request: m((r) => cpuMsPerRequest(r)),
    processes,
  };
  if (rounds.some((r) => r.rate_held !== null)) summary.rate_held = rounds.every((r) => r.rate_held === true);
  return summary;
}

/** The machine's busy time in a round (every sampled process plus the rest) per 2xx answer, in ms. */
export function cpuMsPerRequest(r: Pick<Round, 'processes' | 'ok_2xx'>): number {
  const busyS = Object.values(r.processes).reduce((s, u) => s + u.cpu_s, 0);
  return r.ok_2xx > 0 ? (busyS * 1000) / r.ok_2xx : Number.POSITIVE_INFINITY;
}

export function compare(ours: Round[], baseline: Round[], baseline2w?: Round[]): Comparison {
  const o = summarizeRounds(ours);
  const b = summarizeRounds(baseline);
  const comparison: Comparison = { ours: o, baseline: b, ratio_rps: r3(o.rps / b.rps), rounds: { ours, baseline } };
  if (baseline2w && baseline2w.length > 0) {
    const b2 = summarizeRounds(baseline2w);
    comparison.baseline_2w = b2;
    comparison.ratio_rps_2w = r3(o.rps / b2.rps);
    comparison.rounds.baseline_2w = baseline2w;
  }
  return comparison;
}

/** Whether Elasticsearch holds every 2xx prediction of a run exactly once. */
export function exactlyOnce(count: IndexedCount, ok2xx: number): ExactlyOnce {
  const indexedWith2xx = count.distinct_ids - count.indexed_without_2xx;
  const missing = ok2xx - indexedWith2xx;
  return { ...count, ok_2xx: ok2xx, missing, exactly_once: missing === 0 && count.duplicated_ids === 0 && count.docs === count.distinct_ids };
}
