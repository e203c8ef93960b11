import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type PredictionMade } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { PendingReplies } from './pending-replies';
import { RecentPredictions } from './recent-predictions';

/**
 * Every gateway instance reads every prediction in its own group (broadcast) and keeps the
 * ones it is waiting for; starting at the newest offset, since older replies have no waiter.
 */
@Controller()
export class PredictionRepliesHandler {
  constructor(
    private readonly pending: PendingReplies,
    private readonly recent: RecentPredictions,
  ) {}

  @EventPattern(TOPICS.predictionMade, { broadcast: true, fromBeginning: false } satisfies EventPatternOptions)
  onPredictionMade(@Payload() event: EventEnvelope<PredictionMade>): void {
    this.recent.remember(event);
    this.pending.resolve(event.request_id, event.payload);
  }
}
