import { Injectable } from '@nestjs/common';
import type { EventEnvelope, PredictionMade } from '@app/contracts';

const CAPACITY = 10_000;

/**
 * The latest predictions this gateway saw on the reply topic (every instance sees all of them),
 * so a lookup right after an async request answers before the monitor has indexed it.
 */
@Injectable()
export class RecentPredictions {
  private readonly byRequest = new Map<string, EventEnvelope<PredictionMade>>();

  remember(event: EventEnvelope<PredictionMade>): void {
    this.byRequest.set(event.request_id, event);
    if (this.byRequest.size > CAPACITY) this.byRequest.delete(this.byRequest.keys().next().value!);
  }

  find(requestId: string): EventEnvelope<PredictionMade> | undefined {
    return this.byRequest.get(requestId);
  }
}
