import type { Features } from '@app/contracts';

export interface SeenPrediction {
  version: number;
  instances: Features[];
  classes: string[];
  at: string;
}

/**
 * Predictions remembered for labels that arrive soon after them (older ones are looked up in the
 * prediction index). Bounded by rows as well as requests: a request may carry 1,000 rows, so a
 * cap on requests alone let 1000-row batches hold gigabytes.
 */
export class RecentPredictions {
  private readonly byRequest = new Map<string, SeenPrediction>();
  private rowCount = 0;

  constructor(
    private readonly maxRequests: number,
    private readonly maxRows: number,
  ) {}

  remember(requestId: string, seen: SeenPrediction): void {
    this.forget(requestId);
    this.byRequest.set(requestId, seen);
    this.rowCount += seen.classes.length;
    while (this.byRequest.size > this.maxRequests || this.rowCount > this.maxRows) this.forget(this.byRequest.keys().next().value!);
  }

  get(requestId: string): SeenPrediction | undefined {
    return this.byRequest.get(requestId);
  }

  get rows(): number {
    return this.rowCount;
  }

  get size(): number {
    return this.byRequest.size;
  }

  private forget(requestId: string): void {
    const seen = this.byRequest.get(requestId);
    if (!seen) return;
    this.rowCount -= seen.classes.length;
    this.byRequest.delete(requestId);
  }
}
