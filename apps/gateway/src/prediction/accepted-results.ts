import type { EventEnvelope, PredictionMade } from '@app/contracts';
import { AsyncResultsFullError } from './prediction-errors';

/** Requests whose retention ran out, remembered so their lookup says so (410) instead of 404; oldest forgotten first. */
const MAX_EXPIRED = 50_000;

export type AcceptedResult =
  | { state: 'pending'; acceptedAt: number }
  | { state: 'scored'; event: EventEnvelope<PredictionMade> }
  | { state: 'failed'; error: unknown }
  | { state: 'expired'; acceptedAt: number; expiredAt: number };

interface Entry {
  acceptedAt: number;
  expiresAt: number;
  /** Rows held for the result: the request's until it is scored, none once it failed. */
  rows: number;
  outcome?: { event: EventEnvelope<PredictionMade> } | { error: unknown };
}

/**
 * Results this gateway promised with `202 Accepted`, by platform request id, each kept for
 * `ttlMs` after it was accepted whatever other callers send (the recent replies are a FIFO that
 * a few large batches empty). Room is taken at acceptance: past `maxRows` rows held, a new async
 * request is refused (503 with Retry-After) rather than someone's result evicted. Every entry
 * lives as long, so acceptance order is expiry order. The clock is passed in, for tests.
 */
export class AcceptedResults {
  private readonly entries = new Map<string, Entry>();
  private readonly expired = new Map<string, { acceptedAt: number; expiredAt: number }>();
  private rows = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxRows: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes room for the result of a request about to be answered 202; AsyncResultsFullError when `rows` more would pass the cap. */
  accept(requestId: string, rows: number): void {
    this.sweep();
    if (this.rows + rows > this.maxRows) {
      const oldest = this.entries.values().next().value;
      const retryAfter = oldest ? Math.max(1, Math.ceil((oldest.expiresAt - this.now()) / 1000)) : 1;
      throw new AsyncResultsFullError(this.maxRows, retryAfter);
    }
    const now = this.now();
    this.entries.set(requestId, { acceptedAt: now, expiresAt: now + this.ttlMs, rows });
    this.rows += rows;
  }

  /** Keeps the reply when its request was accepted here and is still retained; false otherwise. */
  remember(event: EventEnvelope<PredictionMade>): boolean {
    const entry = this.live(event.request_id);
    if (entry) entry.outcome = { event };
    return entry !== undefined;
  }

  /** Keeps why an accepted request will not be scored (its lookup answers that); its rows are free again. */
  fail(requestId: string, error: unknown): boolean {
    const entry = this.live(requestId);
    if (!entry) return false;
    entry.outcome = { error };
    this.rows -= entry.rows;
    entry.rows = 0;
    return true;
  }

  find(requestId: string): AcceptedResult | undefined {
    const entry = this.live(requestId);
    if (entry) {
      if (!entry.outcome) return { state: 'pending', acceptedAt: entry.acceptedAt };
      return 'event' in entry.outcome ? { state: 'scored', event: entry.outcome.event } : { state: 'failed', error: entry.outcome.error };
    }
    const gone = this.expired.get(requestId);
    return gone && { state: 'expired', ...gone };
  }

  private live(requestId: string): Entry | undefined {
    this.sweep();
    return this.entries.get(requestId);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(id);
      this.rows -= entry.rows;
      this.expired.set(id, { acceptedAt: entry.acceptedAt, expiredAt: entry.expiresAt });
      if (this.expired.size > MAX_EXPIRED) this.expired.delete(this.expired.keys().next().value!);
    }
  }
}
