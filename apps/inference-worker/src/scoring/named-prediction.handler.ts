import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  TOPICS,
  batchedRequestEventId,
  derivedEventId,
  namedInstanceProblems,
  type EventEnvelope,
  type NamedPredictionMade,
  type NamedPredictionRequested,
  type NamedRequest,
  type NamedResult,
  type NamedShadowPrediction,
} from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher, type EventPatternOptions } from '@app/messaging';
import { countNamedPredictions, scoringLatency } from '@app/observability';
import { APP_CONFIG } from '@app/runtime';
import { inCanary } from '@app/evaluation';
import { NamedRoutings, NamedScorers, type NamedScorer } from '@app/registry';

/** The gateway checked the model against its own registry view; this worker's follows the same topic a moment later. */
const ARRIVAL_WAIT_MS = 2000;
const POLL_MS = 50;

/**
 * Scores named models' requests, every request on its own (its model, version pin or canary share, deadline, shadow),
 * and answers each record with one record to the reply partition its gateway reads. A request
 * this worker cannot answer (unknown model, rows that are not the version's features, a passed
 * deadline) gets a failed result; its neighbours are unaffected.
 */
@Controller()
export class NamedPredictionHandler {
  constructor(
    private readonly scorers: NamedScorers,
    private readonly routings: NamedRoutings,
    private readonly publisher: EventPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @EventPattern(TOPICS.namedPredictionRequested, { batch: true } satisfies EventPatternOptions)
  async onRequests(@Payload() batches: Array<EventEnvelope<NamedPredictionRequested>>): Promise<void> {
    const scorerOf = await this.resolve(batches.flatMap((b) => b.payload.requests));
    const now = Date.now();
    const answered = batches.map((batch) => ({ batch, results: batch.payload.requests.map((r) => this.answer(batch, r, scorerOf(r), now)) }));
    const shadows = answered.flatMap(({ batch, results }) => results.flatMap((result, i) => this.shadow(batch, batch.payload.requests[i], result)));
    await Promise.all([
      this.publisher.publishMany(
        TOPICS.namedPredictionMade,
        answered.map(({ batch, results }) => ({
          payload: { worker: this.config.INSTANCE_ID, reply_to: batch.payload.reply_to, results } satisfies NamedPredictionMade,
          options: {
            key: batch.request_id,
            requestId: batch.request_id,
            clientRequestId: batch.client_request_id,
            eventId: derivedEventId(batch.event_id, 'named-prediction-made'),
            partition: batch.payload.reply_partition,
          },
        })),
      ),
      shadows.length > 0 ? this.publisher.publishMany(TOPICS.namedPredictionShadow, shadows) : undefined,
    ]);
  }

  /**
   * The model's shadow version's scores of a request its serving version answered (one the caller
   * did not pin to a version): never a reply, their own topic and deterministic event ids.
   */
  private shadow(batch: EventEnvelope<NamedPredictionRequested>, r: NamedRequest, result: NamedResult) {
    if (result.outcome !== 'scored' || r.model_version !== undefined) return [];
    const version = this.routings.get(r.model)?.shadow_version;
    const shadow = version && version !== result.model_version ? this.scorers.get(r.model, version) : undefined;
    // A shadow trained on other columns cannot score these rows: it is left out, the answer is not affected.
    if (!shadow || namedInstanceProblems(r.instances, shadow.features, r.model, 'instances').length > 0) return [];
    const payload: NamedShadowPrediction = {
      model: r.model,
      instances: r.instances,
      predictions: r.instances.map((row) => shadow.score(row)),
      model_version: shadow.version,
      serving_version: result.model_version,
      worker: this.config.INSTANCE_ID,
    };
    const eventId = derivedEventId(batchedRequestEventId(batch.event_id, r.request_id), `prediction-shadow:${shadow.version}`);
    return [{ payload, options: { key: r.request_id, requestId: r.request_id, clientRequestId: r.client_request_id, eventId } }];
  }

  /** Each request's scorer, waiting briefly for models or versions this worker has not read yet. */
  private async resolve(requests: NamedRequest[]): Promise<(r: NamedRequest) => NamedScorer | undefined> {
    const deadline = Date.now() + ARRIVAL_WAIT_MS;
    const lookup = (r: NamedRequest) => (r.model_version === undefined && this.canary(r)) || this.scorers.get(r.model, r.model_version);
    while (Date.now() < deadline && requests.some((r) => lookup(r) === undefined)) await new Promise((res) => setTimeout(res, POLL_MS));
    return lookup;
  }

  /**
   * The model's canary, for the share of requests its percent says (by the caller's request id
   * when it sent one, as for the default model: a retried request lands on the same version).
   */
  private canary(r: NamedRequest): NamedScorer | undefined {
    const canary = this.routings.get(r.model)?.canary;
    if (!canary || !inCanary(r.client_request_id ?? r.request_id, canary.percent)) return undefined;
    return this.scorers.get(r.model, canary.version);
  }

  private answer(batch: EventEnvelope<NamedPredictionRequested>, r: NamedRequest, scorer: NamedScorer | undefined, now: number): NamedResult {
    const eventId = batchedRequestEventId(batch.event_id, r.request_id);
    const ids = {
      request_id: r.request_id,
      ...(r.client_request_id ? { client_request_id: r.client_request_id } : {}),
      ...(r.traceparent ? { traceparent: r.traceparent } : {}),
      model: r.model,
    };
    const failed = (error: Extract<NamedResult, { outcome: 'failed' }>['error'], reason: string): NamedResult => ({
      outcome: 'failed',
      ...ids,
      event_id: derivedEventId(eventId, 'prediction-failed'),
      error,
      reason,
      rows: r.instances.length,
    });
    if (r.deadline !== undefined && r.deadline < now) return failed('deadline_exceeded', 'the gateway stopped waiting before a worker reached the request');
    if (!scorer) {
      return r.model_version === undefined
        ? failed('unknown_model', `there is no model named ${r.model} with a current version`)
        : failed('unknown_model_version', `model ${r.model} has no servable version ${r.model_version}`);
    }
    const problems = namedInstanceProblems(r.instances, scorer.features, r.model, 'instances');
    if (problems.length > 0)
      return failed(
        'invalid_instances',
        problems
          .map((p) => `${p.field} ${p.message}`)
          .join('; ')
          .slice(0, 2000),
      );
    const t0 = process.hrtime.bigint();
    const predictions = r.instances.map((row) => scorer.score(row));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    scoringLatency.observe(seconds);
    countNamedPredictions(r.model, scorer.version, predictions.length);
    return {
      outcome: 'scored',
      ...ids,
      event_id: derivedEventId(eventId, 'prediction-made'),
      instances: r.instances,
      predictions,
      model_version: scorer.version,
      scoring_latency_ms: seconds * 1e3,
    };
  }
}
