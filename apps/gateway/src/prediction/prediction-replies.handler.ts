import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, resultViews, type EventEnvelope, type PredictionBatchMade } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { AcceptedResults } from './accepted-results';
import { PendingReplies } from './pending-replies';
import { PredictionFailedError } from './prediction-errors';
import { RecentPredictions } from './recent-predictions';

/**
 * Each gateway reads the reply partition its requests name (its own group, from the newest
 * offset: older replies have no waiter) and hands every request of a batch reply its own answer.
 * Gateways sharing a partition skip each other's replies. Only batch replies are read: workers
 * are upgraded before gateways, so a gateway that sends batches never waits on a v1 reply.
 */
@Controller()
export class PredictionRepliesHandler {
  constructor(
    private readonly pending: PendingReplies,
    private readonly recent: RecentPredictions,
    private readonly accepted: AcceptedResults,
  ) {}

  @EventPattern(TOPICS.predictionBatchMade, { broadcast: true, fromBeginning: false, replyPartitionOnly: true, batch: true } satisfies EventPatternOptions)
  onPredictionBatches(@Payload() batches: Array<EventEnvelope<PredictionBatchMade>>): void {
    for (const batch of batches) {
      const { made, failed } = resultViews(batch);
      for (const event of made) {
        this.recent.remember(event);
        this.accepted.remember(event);
        this.pending.resolve(event.request_id, event.payload);
      }
      for (const event of failed) {
        const error = new PredictionFailedError(event.request_id, event.payload.error, event.payload.reason);
        this.accepted.fail(event.request_id, error);
        this.pending.fail(event.request_id, error);
      }
    }
  }
}
