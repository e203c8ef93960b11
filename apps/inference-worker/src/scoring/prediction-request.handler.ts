import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, featureVector, type EventEnvelope, type PredictionRequested } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher, RetryableError } from '@app/messaging';
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

  /** Workers share this group, so Kafka spreads requests over them by partition. */
  @EventPattern(TOPICS.predictionRequested)
  async onPredictionRequested(@Payload() event: EventEnvelope<PredictionRequested>): Promise<void> {
    const model = this.serving.current;
    // Not parked: the request is fine, this worker is just not ready; the retry waits for the model.
    if (!model) throw new RetryableError('no model loaded yet');
    const started = process.hrtime.bigint();
    const predictions = event.payload.instances.map((f) => model.score(featureVector(f)));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    scoringLatency.observe(seconds);
    for (const p of predictions) predictionsTotal.inc({ class: p.prediction, model_version: String(model.version) });
    await this.publisher.publish(
      TOPICS.predictionMade,
      {
        instances: event.payload.instances,
        predictions,
        model_version: model.version,
        scoring_latency_ms: seconds * 1e3,
        worker: this.config.INSTANCE_ID,
        reply_to: event.payload.reply_to,
      },
      { key: event.request_id, requestId: event.request_id },
    );
  }
}
