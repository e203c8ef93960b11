import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type PredictionFailed, type PredictionMade } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { AcceptedResults } from './accepted-results';
import { PendingReplies } from './pending-replies';
import { PredictionFailedError } from './prediction-errors';
import { RecentPredictions } from './recent-predictions';

/**
 * Each gateway reads the reply partition its requests name (its own group, from the newest
 * offset: older replies have no waiter) and keeps the replies it is waiting for. Gateways
 * sharing a partition skip each other's replies.
 */
@Controller()
export class PredictionRepliesHandler {
  constructor(
    private readonly pending: PendingReplies,
    private readonly recent: RecentPredictions,
    private readonly accepted: AcceptedResults,
  ) {}

  @EventPattern(TOPICS.predictionMade, { broadcast: true, fromBeginning: false, replyPartitionOnly: true, batch: true } satisfies EventPatternOptions)
  onPredictionsMade(@Payload() events: Array<EventEnvelope<PredictionMade>>): void {
    for (const event of events) {
      this.recent.remember(event);
      this.accepted.remember(event);
      this.pending.resolve(event.request_id, event.payload);
    }
  }

  @EventPattern(TOPICS.predictionFailed, { broadcast: true, fromBeginning: false } satisfies EventPatternOptions)
  onPredictionFailed(@Payload() event: EventEnvelope<PredictionFailed>): void {
    const error = new PredictionFailedError(event.request_id, event.payload.error, event.payload.reason);
    this.accepted.fail(event.request_id, error);
    this.pending.fail(event.request_id, error);
  }
}
