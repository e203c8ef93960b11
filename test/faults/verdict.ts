import type { RequestRecord } from './load';

export type Outcome = 'ok' | 'failed' | 'refused' | 'reset' | 'other';

/** Nothing listened: the gateway process was down. */
const REFUSED = new Set(['ECONNREFUSED']);
/** A connection was accepted and dropped without an answer. */
const RESET = new Set(['ECONNRESET', 'EPIPE', 'socket hang up']);

/**
 * ok: a 2xx that names its platform request id and echoes ours; failed: a 503 or 504 that
 * names its request id (what the platform promises under faults); refused / reset: no HTTP
 * answer; other: anything else (another status, an error without request id, a client timeout).
 */
export function classify(r: RequestRecord): Outcome {
  if (r.status === null) {
    if (REFUSED.has(r.errorCode ?? '')) return 'refused';
    if (RESET.has(r.errorCode ?? '')) return 'reset';
    return 'other';
  }
  const named = typeof r.requestId === 'string' && r.requestId.length > 0;
  if (r.status >= 200 && r.status < 300) return named && r.echoedBodyId === r.clientRequestId && r.echoedHeaderId === r.clientRequestId ? 'ok' : 'other';
  if (r.status === 503 || r.status === 504) return named ? 'failed' : 'other';
  return 'other';
}

/**
 * Seconds from the end of the fault until the stack was back to normal: the start of the
 * first successful request after which every request started succeeded too. 0 when nothing
 * failed after the fault ended; null when the stack never got back to normal.
 */
export function recoverySeconds(records: RequestRecord[], faultEndedAt: number): number | null {
  const byStart = [...records].sort((a, b) => a.startedAt - b.startedAt);
  let recoveredAt: number | null = null;
  for (const r of byStart) {
    if (classify(r) !== 'ok') recoveredAt = null;
    else if (recoveredAt === null) recoveredAt = r.startedAt;
  }
  if (recoveredAt === null) return null;
  return Math.max(0, recoveredAt - faultEndedAt) / 1000;
}

/** Requests already sent when the fault began that never got an HTTP answer. */
export function droppedInFlight(records: RequestRecord[], faultStartedAt: number): number {
  return records.filter((r) => r.startedAt < faultStartedAt && (classify(r) === 'refused' || classify(r) === 'reset')).length;
}

export interface Tally {
  requests: number;
  ok: number;
  failed: number;
  refused: number;
  reset: number;
  other: number;
  /** A few examples of `other`, for the report. */
  otherExamples: string[];
}

export function tally(records: RequestRecord[]): Tally {
  const t: Tally = { requests: records.length, ok: 0, failed: 0, refused: 0, reset: 0, other: 0, otherExamples: [] };
  for (const r of records) {
    const outcome = classify(r);
    t[outcome]++;
    if (outcome === 'other' && t.otherExamples.length < 5) {
      t.otherExamples.push(`${r.clientRequestId}: ${r.status ?? r.errorCode}${r.error ? ` ${r.error}` : ''}${r.requestId ? '' : ' (no request id)'}`);
    }
  }
  return t;
}

/** What a scenario allows beyond the general promise (2xx indexed once, failures 503/504 with their id). */
export interface Expectations {
  /**
   * Connection errors are allowed only while the gateway itself is down; 'new' allows them
   * only for requests sent after the fault began (a graceful stop must answer those in flight).
   */
  connectionErrors: 'none' | 'new' | 'any';
  /** Faults off the request path (Elasticsearch, the monitor) must not fail a single request. */
  failures: 'allowed' | 'none';
  /** Requests scored twice (seen as two replies on the topic): a graceful stop commits first, so none. */
  rescored: 'allowed' | 'none';
  maxRecoverySeconds: number;
}

export interface Findings {
  tally: Tally;
  /** Requests sent before the fault began that got no HTTP answer. */
  droppedInFlight: number;
  missing: number;
  duplicates: number;
  rescored: number;
  recoverySeconds: number | null;
  servicesDown: string[];
  /** Checks a scenario adds (the retrain's outcome, the supervisor's restart line). */
  problems: string[];
}

/** Why the scenario failed; empty when it passed. */
export function judge(f: Findings, expect: Expectations): string[] {
  const reasons: string[] = [];
  if (f.tally.ok === 0) reasons.push('no request succeeded');
  if (f.missing > 0) reasons.push(`${f.missing} request(s) answered 2xx have no prediction in Elasticsearch`);
  if (f.duplicates > 0) reasons.push(`${f.duplicates} request(s) answered 2xx have more than one prediction document`);
  if (f.tally.other > 0) reasons.push(`${f.tally.other} request(s) failed otherwise than 503/504 with a request id: ${f.tally.otherExamples.join('; ')}`);
  if (expect.connectionErrors === 'none' && f.tally.refused + f.tally.reset > 0)
    reasons.push(`${f.tally.refused + f.tally.reset} connection error(s) while the gateway was up`);
  if (expect.connectionErrors === 'new' && f.droppedInFlight > 0) reasons.push(`${f.droppedInFlight} request(s) in flight when the fault began got no answer`);
  if (expect.failures === 'none' && f.tally.failed > 0) reasons.push(`${f.tally.failed} request(s) failed although the fault is off the request path`);
  if (expect.rescored === 'none' && f.rescored > 0) reasons.push(`${f.rescored} request(s) were scored twice (offsets not committed before the worker left)`);
  if (f.recoverySeconds === null) reasons.push('the stack never served normally again');
  else if (f.recoverySeconds > expect.maxRecoverySeconds)
    reasons.push(`recovery took ${f.recoverySeconds.toFixed(1)} s (limit ${expect.maxRecoverySeconds} s)`);
  if (f.servicesDown.length > 0) reasons.push(`still down: ${f.servicesDown.join(', ')}`);
  return [...reasons, ...f.problems];
}

/** p50, p99 and max latency in ms of the successful requests sent from `from` on. */
export function okLatency(records: RequestRecord[], from: number): { p50: number; p99: number; max: number } | undefined {
  const ms = records
    .filter((r) => r.startedAt >= from && classify(r) === 'ok')
    .map((r) => r.endedAt - r.startedAt)
    .sort((a, b) => a - b);
  if (ms.length === 0) return undefined;
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)];
  return { p50: at(0.5), p99: at(0.99), max: ms[ms.length - 1] };
}
