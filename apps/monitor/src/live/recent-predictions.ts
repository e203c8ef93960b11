import { OldestFirst } from '@app/collections';
import type { Features } from '@app/contracts';

/** `R`: the request's rows, as decoded (the default model's) or packed (a named model's, PackedRows). */
export interface SeenPrediction<R = Features[]> {
  version: number;
  instances: R;
  classes: string[];
  at: string;
}

/**
 * Predictions remembered for labels that arrive soon after them (older ones are looked up in the
 * prediction index). Bounded by requests and by weight (rows by default): a request may carry
 * 1,000 rows, so a cap on requests alone let 1000-row batches hold gigabytes. A named model's
 * rows may have 1,000 features each, so theirs weigh rows × features.
 */
export class RecentPredictions<R = Features[]> {
  private readonly byRequest = new OldestFirst<string, SeenPrediction<R>>();
  private total = 0;

  constructor(
    private readonly maxRequests: number,
    private readonly maxWeight: number,
    private readonly weigh: (seen: SeenPrediction<R>) => number = (seen) => seen.classes.length,
  ) {}

  remember(requestId: string, seen: SeenPrediction<R>): void {
    this.forget(requestId);
    this.byRequest.set(requestId, seen);
    this.total += this.weigh(seen);
    while (this.byRequest.size > this.maxRequests || this.total > this.maxWeight) this.forget(this.byRequest.oldest()![0]);
  }

  get(requestId: string): SeenPrediction<R> | undefined {
    return this.byRequest.get(requestId);
  }

  /** Rows, or whatever the weight counts. */
  get rows(): number {
    return this.total;
  }

  get size(): number {
    return this.byRequest.size;
  }

  private forget(requestId: string): void {
    const seen = this.byRequest.get(requestId);
    if (!seen) return;
    this.total -= this.weigh(seen);
    this.byRequest.delete(requestId);
  }
}
