import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { PredictionMade } from '@app/contracts';

interface Pending {
  resolve: (reply: PredictionMade) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class ReplyTimeoutError extends Error {}

/** Requests this gateway instance published and is waiting on, keyed by request id. */
@Injectable()
export class PendingReplies implements OnApplicationShutdown {
  private readonly pending = new Map<string, Pending>();

  wait(requestId: string, timeoutMs: number): Promise<PredictionMade> {
    return new Promise<PredictionMade>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new ReplyTimeoutError(`no prediction within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
    });
  }

  /** Returns false for replies meant for another gateway instance or already timed out. */
  resolve(requestId: string, reply: PredictionMade): boolean {
    const entry = this.pending.get(requestId);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.pending.delete(requestId);
    entry.resolve(reply);
    return true;
  }

  cancel(requestId: string, err: Error): void {
    const entry = this.pending.get(requestId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(requestId);
    entry.reject(err);
  }

  onApplicationShutdown(): void {
    for (const [id] of this.pending) this.cancel(id, new Error('gateway shutting down'));
  }
}
