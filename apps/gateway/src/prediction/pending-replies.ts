import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { PredictionMade } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { APP_CONFIG, HttpFailure } from '@app/runtime';
import { GatewayOverloadedError, ReplyTimeoutError } from './prediction-errors';

interface Pending {
  resolve: (reply: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Requests this gateway instance published and is waiting on, keyed by the platform request id
 * (unique per request, generated here, so two callers can never share an entry). At most
 * MAX_PENDING_REQUESTS entries: past that the gateway sheds load with 503.
 */
@Injectable()
export class PendingReplies implements OnApplicationShutdown {
  private readonly pending = new Map<string, Pending>();
  private readonly limit: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limit = config.MAX_PENDING_REQUESTS;
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * Starts waiting for the reply before the request is published (on the in-process bus the
   * reply can arrive before the send resolves). The returned promise is marked handled at once:
   * it may time out while the caller is still publishing, and a rejection with no handler yet
   * would end the process.
   */
  register<T = PredictionMade>(requestId: string, timeoutMs: number): Promise<T> {
    if (this.pending.size >= this.limit) throw new GatewayOverloadedError(this.limit);
    if (this.pending.has(requestId)) throw new Error(`request id ${requestId} is already pending`);
    const reply = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new ReplyTimeoutError(requestId, timeoutMs));
      }, timeoutMs);
      this.pending.set(requestId, { resolve: resolve as (reply: unknown) => void, reject, timer });
    });
    reply.catch(() => undefined);
    return reply;
  }

  /** Returns false for replies meant for another gateway instance or already timed out. */
  resolve(requestId: string, reply: unknown): boolean {
    const entry = this.take(requestId);
    entry?.resolve(reply);
    return entry !== undefined;
  }

  fail(requestId: string, err: Error): boolean {
    const entry = this.take(requestId);
    entry?.reject(err);
    return entry !== undefined;
  }

  onApplicationShutdown(): void {
    for (const id of [...this.pending.keys()]) this.fail(id, new HttpFailure(503, 'shutting_down', 'the gateway stopped before the prediction arrived'));
  }

  private take(requestId: string): Pending | undefined {
    const entry = this.pending.get(requestId);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.pending.delete(requestId);
    return entry;
  }
}
