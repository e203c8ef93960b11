import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, derivedEventId, featureVector, type EventEnvelope, type PredictionMade, type PredictionRequested } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher, MessageTooLargeError, RetryableError, type EventPatternOptions, type Rejection } from '@app/messaging';
import { JsonLogger, predictionsTotal, scoringLatency } from '@app/observability';
import { APP_CONFIG } from '@app/runtime';
import { ModelVersions } from './model-versions';
import { ServingModel } from './serving-model';

type Reply = { event: EventEnvelope<PredictionRequested>; payload: PredictionMade };

@Controller()
export class PredictionRequestHandler {
  constructor(
    private readonly serving: ServingModel,
    private readonly versions: ModelVersions,
    private readonly publisher: EventPublisher,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Workers share this group, so Kafka spreads requests over them by partition. A batch of
   * requests is scored and answered with one produce request: under load that is most of
   * the worker's cost. A reply's event id derives from its request's, so a request scored
   * twice (redelivered after a crash) answers with the same event.
   */
  @EventPattern(TOPICS.predictionRequested, { batch: true } satisfies EventPatternOptions)
  async onPredictionRequests(@Payload() events: Array<EventEnvelope<PredictionRequested>>): Promise<Rejection[]> {
    const model = this.serving.current;
    // Not parked: the requests are fine, this worker is just not ready; the retry waits for the model.
    if (!model) throw new RetryableError('no model loaded yet');
    const started = process.hrtime.bigint();
    const models = await this.versions.resolve(
      events.map((e) => e.payload.model_version),
      model,
    );
    const replies: Reply[] = events.flatMap((event, i) => {
      const scorer = models[i];
      if (!scorer) return [];
      const t0 = process.hrtime.bigint();
      const predictions = event.payload.instances.map((f) => scorer.score(featureVector(f)));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      scoringLatency.observe(seconds);
      for (const p of predictions) predictionsTotal.inc({ class: p.prediction, model_version: String(scorer.version) });
      const payload: PredictionMade = {
        instances: event.payload.instances,
        predictions,
        model_version: scorer.version,
        scoring_latency_ms: seconds * 1e3,
        worker: this.config.INSTANCE_ID,
        reply_to: event.payload.reply_to,
      };
      return [{ event, payload }];
    });
    const rejections = replies.length > 0 ? await this.publish(replies) : [];
    await this.refuseUnknownVersions(events.filter((_, i) => models[i] === null));
    this.logger.event('debug', 'prediction batch answered', {
      requests: events.length,
      rows: replies.reduce((n, r) => n + r.payload.predictions.length, 0),
      model_version: model.version,
      duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
    });
    return rejections;
  }

  /** One produce for the batch; a reply the broker refuses as too large fails its request at once and parks it. */
  private async publish(replies: Reply[]): Promise<Rejection[]> {
    try {
      await this.publisher.publishMany(TOPICS.predictionMade, replies.map(replyItem));
      return [];
    } catch (err) {
      if (!(err instanceof MessageTooLargeError)) throw err;
    }
    const rejections: Rejection[] = [];
    for (const reply of replies) {
      try {
        await this.publisher.publish(TOPICS.predictionMade, reply.payload, replyItem(reply).options);
      } catch (err) {
        if (!(err instanceof MessageTooLargeError)) throw err;
        const { event } = reply;
        await this.publisher.publish(
          TOPICS.predictionFailed,
          {
            error: 'reply_too_large',
            reason: err.message,
            rows: event.payload.instances.length,
            worker: this.config.INSTANCE_ID,
            reply_to: event.payload.reply_to,
          },
          {
            key: event.request_id,
            requestId: event.request_id,
            clientRequestId: event.client_request_id,
            eventId: derivedEventId(event.event_id, 'prediction-failed'),
          },
        );
        rejections.push({ eventId: event.event_id, reason: `reply not sent: ${err.message}` });
      }
    }
    return rejections;
  }

  /** A request naming a version that is not registered is answered with a failure (the gateway answers 404), not parked: it is a caller's mistake, not a bad event. */
  private async refuseUnknownVersions(events: Array<EventEnvelope<PredictionRequested>>): Promise<void> {
    if (events.length === 0) return;
    await this.publisher.publishMany(
      TOPICS.predictionFailed,
      events.map((event) => ({
        payload: {
          error: 'unknown_model_version' as const,
          reason: `model version ${event.payload.model_version} is not registered`,
          rows: event.payload.instances.length,
          worker: this.config.INSTANCE_ID,
          reply_to: event.payload.reply_to,
        },
        options: {
          key: event.request_id,
          requestId: event.request_id,
          clientRequestId: event.client_request_id,
          eventId: derivedEventId(event.event_id, 'prediction-failed'),
        },
      })),
    );
  }
}

function replyItem({ event, payload }: Reply) {
  return {
    payload,
    options: {
      key: event.request_id,
      requestId: event.request_id,
      clientRequestId: event.client_request_id,
      eventId: derivedEventId(event.event_id, 'prediction-made'),
      partition: event.payload.reply_partition,
    },
  };
}
