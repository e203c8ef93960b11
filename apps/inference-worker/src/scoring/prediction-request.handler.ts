import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, derivedEventId, featureVector, type EventEnvelope, type Features, type PredictionMade, type PredictionRequested, type ShadowPrediction } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher, MessageTooLargeError, RetryableError, type EventPatternOptions, type Rejection } from '@app/messaging';
import { inCanary } from '@app/evaluation';
import { JsonLogger, predictionsTotal, scoringLatency } from '@app/observability';
import { RoutingState } from '@app/registry';
import { APP_CONFIG } from '@app/runtime';
import { ModelCatalog } from './model-catalog';
import { ModelVersions } from './model-versions';
import { ServingModel, type LoadedModel } from './serving-model';

type Reply = { event: EventEnvelope<PredictionRequested>; payload: PredictionMade };

@Controller()
export class PredictionRequestHandler {
  constructor(
    private readonly serving: ServingModel,
    private readonly catalog: ModelCatalog,
    private readonly versions: ModelVersions,
    private readonly routing: RoutingState,
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
    const current = this.serving.current;
    // Not parked: the requests are fine, this worker is just not ready; the retry waits for the model.
    if (!current) throw new RetryableError('no model loaded yet');
    const routing = this.routing.current;
    const canary = routing?.canary ? this.catalog.get(routing.canary.version) : undefined;
    const shadow = routing?.shadow_version ? this.catalog.get(routing.shadow_version) : undefined;
    const started = process.hrtime.bigint();
    const shadows: Array<{ event: EventEnvelope<PredictionRequested>; payload: ShadowPrediction }> = [];
    const pinned = await this.versions.resolve(events.map((e) => e.payload.model_version));
    const replies: Reply[] = events.flatMap((event, i) => {
      const pin = pinned[i];
      if (pin === null) return [];
      // A pinned version answers as asked; otherwise the canary's share (by the caller's own id when it
      // sent one, so a retried request is routed as before) or the current version, shadowed if set.
      const scorer: LoadedModel = pin ?? (canary && inCanary(event.client_request_id ?? event.request_id, routing!.canary!.percent) ? canary : current);
      if (!pin && shadow && shadow.version !== scorer.version) shadows.push({ event, payload: this.shadowScore(shadow, scorer.version, event.payload.instances) });
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
    const [rejections] = await Promise.all([replies.length > 0 ? this.publish(replies) : Promise.resolve([]), this.publishShadows(shadows)]);
    await this.refuseUnknownVersions(events.filter((_, i) => pinned[i] === null));
    this.logger.event('debug', 'prediction batch answered', {
      requests: events.length,
      rows: replies.reduce((n, r) => n + r.payload.predictions.length, 0),
      model_version: current.version,
      shadows: shadows.length,
      duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
    });
    return rejections;
  }

  private shadowScore(shadow: LoadedModel, servingVersion: number, instances: Features[]): ShadowPrediction {
    const predictions = instances.map((f) => shadow.score(featureVector(f)));
    return { instances, predictions, model_version: shadow.version, serving_version: servingVersion, worker: this.config.INSTANCE_ID };
  }

  /** Shadow scores never answer anyone: their own topic, their own (deterministic) event ids. */
  private async publishShadows(shadows: Array<{ event: EventEnvelope<PredictionRequested>; payload: ShadowPrediction }>): Promise<void> {
    if (shadows.length === 0) return;
    await this.publisher.publishMany(
      TOPICS.predictionShadow,
      shadows.map(({ event, payload }) => ({
        payload,
        options: {
          key: event.request_id,
          requestId: event.request_id,
          clientRequestId: event.client_request_id,
          eventId: derivedEventId(event.event_id, `prediction-shadow:${payload.model_version}`),
        },
      })),
    );
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
