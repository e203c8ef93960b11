import { Injectable } from '@nestjs/common';
import { OldestFirst } from '@app/collections';
import { REPLY_BYTES_PER_ROW, type EventEnvelope, type PredictionMade } from '@app/contracts';

/** Bounds that hold under sustained 1000-row batches: about 8 MB of replies at most. */
const MAX_ENTRIES = 10_000;
const MAX_BYTES = 8 * 1024 * 1024;

/**
 * The latest predictions this gateway saw on its reply partition, by platform request id, so a
 * lookup right after an async request answers before the monitor has indexed it (and in the
 * embedded mode, which has no index). Oldest evicted first by count and by size.
 */
@Injectable()
export class RecentPredictions {
  private readonly byRequest = new OldestFirst<string, { event: EventEnvelope<PredictionMade>; bytes: number }>();
  private bytes = 0;

  remember(event: EventEnvelope<PredictionMade>): void {
    const bytes = event.payload.predictions.length * REPLY_BYTES_PER_ROW;
    this.forget(event.request_id);
    this.byRequest.set(event.request_id, { event, bytes });
    this.bytes += bytes;
    while (this.byRequest.size > MAX_ENTRIES || this.bytes > MAX_BYTES) this.forget(this.byRequest.oldest()![0]);
  }

  find(requestId: string): EventEnvelope<PredictionMade> | undefined {
    return this.byRequest.get(requestId)?.event;
  }

  private forget(requestId: string): void {
    const entry = this.byRequest.get(requestId);
    if (!entry) return;
    this.bytes -= entry.bytes;
    this.byRequest.delete(requestId);
  }
}
