import { Inject, Injectable } from '@nestjs/common';
import {
  featureVector,
  type EventEnvelope,
  type Features,
  type PredictionFailed,
  type PredictionMade,
  type PredictionRequested,
  type ShadowPrediction,
} from '@app/contracts';
import type { AppConfig } from '@app/config';
import { RetryableError } from '@app/messaging';
import { inCanary } from '@app/evaluation';
import { predictionsTotal, scoringLatency } from '@app/observability';
import { RoutingState } from '@app/registry';
import { APP_CONFIG } from '@app/runtime';
import { ModelCatalog } from './model-catalog';
import { ModelVersions } from './model-versions';
import { ServingModel, type LoadedModel } from './serving-model';

/** One request to score, as its own event (a v1 record, or one request of a batch record). */
export interface ScoringRequest {
  event: EventEnvelope<PredictionRequested>;
  /** Epoch ms after which nobody waits for the answer. */
  deadline?: number;
}

export type ScoringOutcome =
  { request: ScoringRequest; scored: PredictionMade } | { request: ScoringRequest; failed: Pick<PredictionFailed, 'error' | 'reason' | 'rows'> };

export interface ScoredRequests {
  outcomes: ScoringOutcome[];
  shadows: Array<{ event: EventEnvelope<PredictionRequested>; payload: ShadowPrediction }>;
  /** The version unpinned requests were routed to by default (for logs). */
  currentVersion: number;
}

/**
 * Scores requests one by one whatever record carried them, so batching never changes an answer:
 * each request keeps its own version pin, canary decision (by the caller's own id when it sent
 * one, so a retried request is routed as before), shadow and deadline.
 */
@Injectable()
export class RequestScorer {
  constructor(
    private readonly serving: ServingModel,
    private readonly catalog: ModelCatalog,
    private readonly versions: ModelVersions,
    private readonly routing: RoutingState,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async score(requests: ScoringRequest[]): Promise<ScoredRequests> {
    const current = this.serving.current;
    // Not parked: the requests are fine, this worker is just not ready; the retry waits for the model.
    if (!current) throw new RetryableError('no model loaded yet');
    const routing = this.routing.current;
    const canary = routing?.canary ? this.catalog.get(routing.canary.version) : undefined;
    const shadow = routing?.shadow_version ? this.catalog.get(routing.shadow_version) : undefined;
    const pinned = await this.versions.resolve(requests.map((r) => r.event.payload.model_version));
    const now = Date.now();
    const shadows: ScoredRequests['shadows'] = [];
    const outcomes = requests.map((request, i): ScoringOutcome => {
      const { event } = request;
      const rows = event.payload.instances.length;
      if (request.deadline !== undefined && request.deadline < now) {
        return { request, failed: { error: 'deadline_exceeded', reason: 'the gateway stopped waiting before a worker reached the request', rows } };
      }
      const pin = pinned[i];
      if (pin === null)
        return { request, failed: { error: 'unknown_model_version', reason: `model version ${event.payload.model_version} is not registered`, rows } };
      const scorer: LoadedModel = pin ?? (canary && inCanary(event.client_request_id ?? event.request_id, routing!.canary!.percent) ? canary : current);
      if (!pin && shadow && shadow.version !== scorer.version)
        shadows.push({ event, payload: this.shadowScore(shadow, scorer.version, event.payload.instances) });
      const t0 = process.hrtime.bigint();
      const predictions = event.payload.instances.map((f) => scorer.score(featureVector(f)));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      scoringLatency.observe(seconds);
      for (const p of predictions) predictionsTotal.inc({ class: p.prediction, model_version: String(scorer.version) });
      return {
        request,
        scored: {
          instances: event.payload.instances,
          predictions,
          model_version: scorer.version,
          scoring_latency_ms: seconds * 1e3,
          worker: this.config.INSTANCE_ID,
          reply_to: event.payload.reply_to,
        },
      };
    });
    return { outcomes, shadows, currentVersion: current.version };
  }

  private shadowScore(shadow: LoadedModel, servingVersion: number, instances: Features[]): ShadowPrediction {
    const predictions = instances.map((f) => shadow.score(featureVector(f)));
    return { instances, predictions, model_version: shadow.version, serving_version: servingVersion, worker: this.config.INSTANCE_ID };
  }
}
