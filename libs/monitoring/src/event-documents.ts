import { TOPICS, traceIdOfParent, type EventEnvelope, type PayloadOf, type ResultViews, type Topic } from '@app/contracts';
import type { IndexKind } from './index-names';

export interface IndexDocument {
  kind: IndexKind;
  /**
   * Deterministic, so a redelivered event overwrites its documents instead of duplicating them:
   * request id + row for predictions (a request scored twice is still one document per row),
   * job id + status for training runs (a job re-run after a crash), the event id otherwise.
   */
  id: string;
  eventId: string;
  at: Date;
  body: Record<string, unknown>;
}

type Envelope<T extends Topic> = EventEnvelope<PayloadOf<T>>;

function common(topic: Topic, e: EventEnvelope<unknown>) {
  return {
    '@timestamp': e.occurred_at,
    event_id: e.event_id,
    event_type: e.event_type,
    request_id: e.request_id,
    ...(e.client_request_id ? { client_request_id: e.client_request_id } : {}),
    // From a Kibana hit to its trace: the trace of the request (or of whatever produced the event).
    ...(e.traceparent ? { trace_id: traceIdOfParent(e.traceparent) } : {}),
    producer: e.producer,
    topic,
  };
}

/** One compact document per scored instance; rolling input statistics live in the stats index. */
export function predictionDocuments(e: Envelope<typeof TOPICS.predictionMade>): IndexDocument[] {
  const p = e.payload;
  return p.predictions.map((scored, i) => ({
    kind: 'predictions',
    id: `${e.request_id}:${i}`,
    eventId: e.event_id,
    at: new Date(e.occurred_at),
    body: {
      ...common(TOPICS.predictionMade, e),
      model_version: p.model_version,
      worker: p.worker,
      ...scored,
      input: p.instances[i],
      scoring_latency_ms: p.scoring_latency_ms,
      batch_size: p.predictions.length,
      batch_index: i,
    },
  }));
}

/** A batch reply's documents (see resultViews): every request's, exactly as if it had come in a record of its own. */
export function batchDocuments(views: ResultViews): IndexDocument[] {
  return [...views.made.flatMap(predictionDocuments), ...views.failed.map((v) => eventDocument(TOPICS.predictionFailed, v))];
}

/** One document per row a shadow version scored, beside the served prediction's (same request id). */
export function shadowDocuments(e: Envelope<typeof TOPICS.predictionShadow>): IndexDocument[] {
  const p = e.payload;
  return p.predictions.map((scored, i) => ({
    kind: 'shadow',
    id: `${e.request_id}:${i}:${p.model_version}`,
    eventId: e.event_id,
    at: new Date(e.occurred_at),
    body: {
      ...common(TOPICS.predictionShadow, e),
      model_version: p.model_version,
      serving_version: p.serving_version,
      worker: p.worker,
      prediction: scored.prediction,
      class_id: scored.class_id,
      probability: scored.probability,
      input: p.instances[i],
      batch_index: i,
    },
  }));
}

/** Every other event: one document in the index for its kind. */
export function eventDocument(topic: Topic, e: EventEnvelope<unknown>): IndexDocument {
  const doc = (kind: IndexKind, fields: Record<string, unknown>, id = e.event_id): IndexDocument => ({
    kind,
    id,
    eventId: e.event_id,
    at: new Date(e.occurred_at),
    body: { ...common(topic, e), ...fields },
  });
  switch (topic) {
    case TOPICS.inputStats: {
      const p = (e as Envelope<typeof TOPICS.inputStats>).payload;
      return doc('stats', {
        model_version: p.model_version,
        count: p.count,
        features: p.features,
        class_mix: p.class_mix,
        latency_ms: p.latency_ms,
        drift: p.drift ?? undefined,
      });
    }
    case TOPICS.driftDetected: {
      const p = (e as Envelope<typeof TOPICS.driftDetected>).payload;
      const psiMax = Math.max(...Object.values(p.features).map((f) => f.psi));
      return doc('drift', {
        model_version: p.model_version,
        window_size: p.window_size,
        drifted_features: p.drifted_features,
        features: p.features,
        psi_max: psiMax,
        retrain_requested: p.retrain_requested,
      });
    }
    case TOPICS.modelRegistered: {
      const p = (e as Envelope<typeof TOPICS.modelRegistered>).payload;
      return doc('models', {
        model_version: p.version,
        status: p.status,
        job_id: p.job_id,
        accuracy: p.model.metrics.accuracy,
        macro_f1: p.model.metrics.macro_f1,
        reason: p.status_reason,
      });
    }
    case TOPICS.modelReady: {
      const p = (e as Envelope<typeof TOPICS.modelReady>).payload;
      return doc('models', {
        model_version: p.model.version,
        status: 'serving',
        accuracy: p.model.metrics.accuracy,
        macro_f1: p.model.metrics.macro_f1,
        reason: p.reason,
      });
    }
    case TOPICS.trainingRun: {
      const p = (e as Envelope<typeof TOPICS.trainingRun>).payload;
      return doc(
        'models',
        {
          model_version: p.model_version ?? undefined,
          status: p.status,
          job_id: p.job_id,
          accuracy: p.metrics?.accuracy,
          macro_f1: p.metrics?.macro_f1,
          reason: p.outcome_reason ?? undefined,
        },
        `run:${p.job_id}:${p.status}`,
      );
    }
    case TOPICS.retrainFailed: {
      const p = (e as Envelope<typeof TOPICS.retrainFailed>).payload;
      return doc('models', { status: 'failed', job_id: p.job_id, reason: p.reason });
    }
    case TOPICS.retrainRequested: {
      const p = (e as Envelope<typeof TOPICS.retrainRequested>).payload;
      return doc('events', { job_id: p.job_id, reason: p.reason ?? 'manual' });
    }
    case TOPICS.predictionRequested:
      return doc('events', { batch_size: (e as Envelope<typeof TOPICS.predictionRequested>).payload.instances.length });
    case TOPICS.predictionFailed: {
      const p = (e as Envelope<typeof TOPICS.predictionFailed>).payload;
      return doc('events', { error: p.error, reason: p.reason, batch_size: p.rows });
    }
    case TOPICS.deadLetter: {
      const p = (e as Envelope<typeof TOPICS.deadLetter>).payload;
      return doc('events', { reason: p.reason, source_topic: p.source_topic, consumer_group: p.consumer_group });
    }
    case TOPICS.feedback: {
      const p = (e as Envelope<typeof TOPICS.feedback>).payload;
      return doc('events', { target_request_id: p.request_id, batch_index: p.row, label: p.label });
    }
    case TOPICS.feedbackLabeled: {
      const p = (e as Envelope<typeof TOPICS.feedbackLabeled>).payload;
      // One document per labeled row, overwritten when a waiting label is joined.
      return doc(
        'feedback',
        {
          target_request_id: p.request_id,
          batch_index: p.row,
          label: p.label,
          labeled_at: p.labeled_at,
          joined: p.joined,
          model_version: p.served_version ?? undefined,
          prediction: p.predicted ?? undefined,
          correct: p.predicted === null ? undefined : p.predicted === p.label,
          input: p.input ?? undefined,
        },
        `${p.request_id}:${p.row}`,
      );
    }
    case TOPICS.registryCommand: {
      const p = (e as Envelope<typeof TOPICS.registryCommand>).payload;
      return doc('events', { command_id: p.command_id, action: p.action, model_version: p.version ?? undefined, source: p.source, reason: p.reason });
    }
    case TOPICS.modelRouting: {
      const p = (e as Envelope<typeof TOPICS.modelRouting>).payload;
      return doc('models', {
        status: 'routing',
        shadow_version: p.shadow_version ?? undefined,
        canary_version: p.canary?.version,
        canary_percent: p.canary?.percent,
      });
    }
    case TOPICS.modelDecision: {
      const p = (e as Envelope<typeof TOPICS.modelDecision>).payload;
      return doc('models', {
        status: `decision:${p.action}`,
        model_version: p.version ?? undefined,
        previous_version: p.previous_version ?? undefined,
        command_id: p.command_id,
        source: p.source,
        outcome: p.outcome,
        reason: p.reason,
        evidence: p.evidence ?? undefined,
      });
    }
    case TOPICS.modelLive: {
      const p = (e as Envelope<typeof TOPICS.modelLive>).payload;
      return doc('live', {
        model_version: p.version,
        labeled: p.labeled,
        correct: p.correct,
        accuracy: p.accuracy ?? undefined,
        accuracy_ci95_low: p.accuracy_ci95?.[0],
        accuracy_ci95_high: p.accuracy_ci95?.[1],
        per_class_recall: p.per_class_recall,
      });
    }
    case TOPICS.predictionMade:
    case TOPICS.predictionShadow:
    case TOPICS.predictionBatchMade:
      throw new RangeError('prediction events are indexed per instance: use predictionDocuments (of resultViews for a batch) or shadowDocuments');
    case TOPICS.predictionBatchRequested:
      throw new RangeError('batch requests are not indexed: each request is indexed as its prediction');
  }
}
