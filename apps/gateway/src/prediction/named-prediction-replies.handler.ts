import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type NamedPredictionMade } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { PendingReplies } from './pending-replies';
import { PredictionFailedError } from './prediction-errors';

/** Named models' replies, read like the default model's: this gateway's reply partition, every request its own answer. */
@Controller()
export class NamedPredictionRepliesHandler {
  constructor(private readonly pending: PendingReplies) {}

  @EventPattern(TOPICS.namedPredictionMade, { broadcast: true, fromBeginning: false, replyPartitionOnly: true, batch: true } satisfies EventPatternOptions)
  onReplies(@Payload() batches: Array<EventEnvelope<NamedPredictionMade>>): void {
    for (const batch of batches) {
      for (const result of batch.payload.results) {
        if (result.outcome === 'scored') this.pending.resolve(result.request_id, result);
        else this.pending.fail(result.request_id, new PredictionFailedError(result.request_id, result.error, result.reason));
      }
    }
  }
}
