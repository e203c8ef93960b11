import { TOPICS, type EventEnvelope, type PayloadOf, type Topic } from '@app/contracts';
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
    case TOPICS.predictionMade:
      throw new RangeError('prediction events are indexed per instance: use predictionDocuments');
  }
}
