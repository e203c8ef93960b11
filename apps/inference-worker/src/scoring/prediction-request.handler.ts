import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, featureVector, type EventEnvelope, type PredictionMade, type PredictionRequested } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher, RetryableError, type EventPatternOptions } from '@app/messaging';
import { predictionsTotal, scoringLatency } from '@app/observability';
import { APP_CONFIG } from '@app/runtime';
import { ServingModel } from './serving-model';

@Controller()
export class PredictionRequestHandler {
  constructor(
    private readonly serving: ServingModel,
    private readonly publisher: EventPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Workers share this group, so Kafka spreads requests over them by partition. A batch of
   * requests is scored and answered with one produce request: under load that is most of
   * the worker's cost.
   */
  @EventPattern(TOPICS.predictionRequested, { batch: true } satisfies EventPatternOptions)
  async onPredictionRequests(@Payload() events: Array<EventEnvelope<PredictionRequested>>): Promise<void> {
    const model = this.serving.current;
    // Not parked: the requests are fine, this worker is just not ready; the retry waits for the model.
    if (!model) throw new RetryableError('no model loaded yet');
    const replies = events.map((event) => {
      const started = process.hrtime.bigint();
      const predictions = event.payload.instances.map((f) => model.score(featureVector(f)));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      scoringLatency.observe(seconds);
      for (const p of predictions) predictionsTotal.inc({ class: p.prediction, model_version: String(model.version) });
      const payload: PredictionMade = {
        instances: event.payload.instances,
        predictions,
        model_version: model.version,
        scoring_latency_ms: seconds * 1e3,
        worker: this.config.INSTANCE_ID,
        reply_to: event.payload.reply_to,
      };
      return { payload, options: { key: event.request_id, requestId: event.request_id } };
    });
    await this.publisher.publishMany(TOPICS.predictionMade, replies);
  }
}
