import { crossCheck, type CrossCheck, type ScoringParams } from '../support/reference-scoring';
import type { TopicTraffic } from './kafka-check';
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

/** Every 2xx answer against the reference scoring of its request's own input, under the version the answer names. */
export function crossedAnswers(records: RequestRecord[], params: ReadonlyMap<number, ScoringParams>): CrossCheck {
  const answered = records.filter((r) => classify(r) === 'ok');
  return crossCheck(
    answered.map((r) => ({ label: r.clientRequestId, input: r.input, modelVersion: r.modelVersion ?? 0, answer: r.answer })),
    params,
  );
}

/** Requests sent before `at` and answered (or dropped) after it: what a fault at `at` caught mid-way. */
export function inFlightAt(records: RequestRecord[], at: number): number {
  return records.filter((r) => r.startedAt < at && r.endedAt > at).length;
}

/** Successful requests sent while the fault lasted. */
export function servedDuring(records: RequestRecord[], window: { startedAt: number; endedAt: number }): number {
  return records.filter((r) => r.startedAt >= window.startedAt && r.startedAt <= window.endedAt && classify(r) === 'ok').length;
}

/** X-Request-Ids the load sent more than once: counting documents by client_request_id needs each to be unique. */
export function repeatedClientIds(records: RequestRecord[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const r of records) (seen.has(r.clientRequestId) ? repeated : seen).add(r.clientRequestId);
  return [...repeated];
}

/**
 * Requests a stopped worker's partitions held that were scored once it was gone: the partitions of
 * the requests `worker` answered before the fault began, and on them, the requests whose first
 * reply came after the fault ended (by the other worker or by the restarted one: a new process
 * either way, since the fault ends when the old one has exited).
 */
export function failedOver(traffic: TopicTraffic, worker: string, fault: { startedAt: number; endedAt: number }): number {
  const partitions = new Set<number>();
  const firstReply = new Map<string, number>();
  for (const r of traffic.replies) {
    const partition = traffic.requestPartitions.get(r.requestId);
    if (r.worker === worker && r.at < fault.startedAt && partition !== undefined) partitions.add(partition);
    firstReply.set(r.requestId, Math.min(r.at, firstReply.get(r.requestId) ?? Infinity));
  }
  return [...firstReply].filter(([id, at]) => at > fault.endedAt && partitions.has(traffic.requestPartitions.get(id) ?? -1)).length;
}

/** Requests scored more than once: more than one reply on the topic. */
export function rescoredRequests(traffic: TopicTraffic, platformIds: ReadonlySet<string>): number {
  const replies = new Map<string, number>();
  for (const r of traffic.replies) replies.set(r.requestId, (replies.get(r.requestId) ?? 0) + 1);
  return [...replies].filter(([id, n]) => n > 1 && platformIds.has(id)).length;
}

export interface Tally {
  requests: number;
  ok: number;
  failed: number;
  /** Of the failed: 503s (the broker unreachable, the gateway draining); the rest are 504s. */
  unavailable: number;
  refused: number;
  reset: number;
  other: number;
  /** A few examples of `other`, for the report. */
  otherExamples: string[];
}

export function tally(records: RequestRecord[]): Tally {
  const t: Tally = { requests: records.length, ok: 0, failed: 0, unavailable: 0, refused: 0, reset: 0, other: 0, otherExamples: [] };
  for (const r of records) {
    const outcome = classify(r);
    t[outcome]++;
    if (outcome === 'failed' && r.status === 503) t.unavailable++;
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
  /** What shows that the fault reached the requests; a scenario whose fault did not take effect proves nothing. */
  effect: FaultEffect;
}

/**
 * unavailable: at least one 503 (the gateway told a caller the broker is unreachable);
 * failover: requests rescored or failed over from the stopped worker (see failedOver);
 * in-flight: requests in flight when the signal came; connection-errors: connections refused or
 * reset (the gateway was down); served-during: successful requests sent while the fault lasted;
 * checked-by-scenario: the scenario's own checks show it (a service's restart, a job killed mid-run).
 */
export type FaultEffect = 'unavailable' | 'failover' | 'in-flight' | 'connection-errors' | 'served-during' | 'checked-by-scenario';

export interface Findings {
  tally: Tally;
  /** Requests sent before the fault began that got no HTTP answer. */
  droppedInFlight: number;
  /** Requests in flight when the fault began. */
  inFlight: number;
  /** 2xx answers that are not the scoring of their own input (e.g. another request's answer), with examples. */
  crossed: string[];
  missing: number;
  /** Requests with more than one prediction document, counted by client_request_id. */
  duplicates: number;
  rescored: number;
  failedOver: number;
  servedDuring: number;
  recoverySeconds: number | null;
  servicesDown: string[];
  /** Checks a scenario adds (the retrain's outcome, the supervisor's restart line). */
  problems: string[];
}

/** What the findings show of the fault's effect, for the report. */
export function effectEvidence(f: Findings, effect: FaultEffect): string {
  switch (effect) {
    case 'unavailable':
      return `${f.tally.unavailable} × 503`;
    case 'failover':
      return `${f.rescored} rescored, ${f.failedOver} failed over`;
    case 'in-flight':
      return `${f.inFlight} in flight at the signal`;
    case 'connection-errors':
      return `${f.tally.refused + f.tally.reset} connection(s) refused or reset`;
    case 'served-during':
      return `${f.servedDuring} served while the fault lasted`;
    case 'checked-by-scenario':
      return 'checked by the scenario';
  }
}

/** Why the fault did not take effect, or undefined when it did. */
function ineffective(f: Findings, effect: FaultEffect): string | undefined {
  switch (effect) {
    case 'unavailable':
      return f.tally.unavailable > 0 ? undefined : 'no request got a 503 while the broker was unreachable';
    case 'failover':
      return f.rescored + f.failedOver > 0 ? undefined : 'no request was rescored or failed over from the stopped worker';
    case 'in-flight':
      return f.inFlight > 0 ? undefined : 'no request was in flight when the signal came';
    case 'connection-errors':
      return f.tally.refused + f.tally.reset > 0 ? undefined : 'no connection was refused or reset while the gateway was down';
    case 'served-during':
      return f.servedDuring > 0 ? undefined : 'no request sent while the fault lasted succeeded';
    case 'checked-by-scenario':
      return undefined;
  }
}

/** Why the scenario failed; empty when it passed. */
export function judge(f: Findings, expect: Expectations): string[] {
  const reasons: string[] = [];
  const noEffect = ineffective(f, expect.effect);
  if (noEffect) reasons.push(`the fault did not take effect: ${noEffect}`);
  if (f.tally.ok === 0) reasons.push('no request succeeded');
  if (f.crossed.length > 0) reasons.push(`${f.crossed.length} 2xx answer(s) are not the scoring of their own input, e.g. ${f.crossed.slice(0, 3).join('; ')}`);
  if (f.missing > 0) reasons.push(`${f.missing} request(s) answered 2xx have no prediction in Elasticsearch`);
  if (f.duplicates > 0) reasons.push(`${f.duplicates} request(s) have more than one prediction document (counted by client_request_id)`);
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
