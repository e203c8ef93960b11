import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, resultViews, type EventEnvelope, type PredictionBatchMade } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { SpanKind, contextOf, endSpan, sampled, startSpan, tracingActive } from '@app/observability';
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
        const kept = this.accepted.remember(event);
        const waited = this.pending.resolve(event.request_id, event.payload);
        if (tracingActive() && (kept || waited)) received(event.traceparent, event.request_id);
      }
      for (const event of failed) {
        const error = new PredictionFailedError(event.request_id, event.payload.error, event.payload.reason);
        const kept = this.accepted.fail(event.request_id, error);
        const waited = this.pending.fail(event.request_id, error);
        if (tracingActive() && (kept || waited)) received(event.traceparent, event.request_id, error);
      }
    }
  }
}

/** The hand-over of one answer to the request waiting for it here, continuing the worker's reply span. */
function received(traceparent: string | undefined, requestId: string, error?: Error): void {
  if (!sampled(traceparent)) return;
  const span = startSpan(`receive ${TOPICS.predictionBatchMade}`, {
    kind: SpanKind.CONSUMER,
    parent: contextOf(traceparent),
    attributes: { 'messaging.system': 'kafka', 'request.id': requestId },
  });
  endSpan(span, error);
}
