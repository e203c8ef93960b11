import {
  DEFAULT_MODEL,
  TOPICS,
  traceIdOfParent,
  type EventEnvelope,
  type NamedPredictionMade,
  type NamedResult,
  type NamedScoredInstance,
  type PayloadOf,
  type ResultViews,
  type Topic,
} from '@app/contracts';
import type { IndexKind } from './index-names';

export interface IndexDocument {
  kind: IndexKind;
  /**
   * Deterministic, so a redelivered event overwrites its documents instead of duplicating them:
   * request id + row for predictions (a request scored twice is still one document per row; request
   * ids are the platform's UUIDs, unique across models, so a named model's rows cannot collide with
   * the default model's), job id + status for training runs (a job re-run after a crash), the event id otherwise.
   */
  id: string;
  eventId: string;
  at: Date;
  body: Record<string, unknown>;
}

type Envelope<T extends Topic> = EventEnvelope<PayloadOf<T>>;

/**
 * Events that concern no one model: a dead letter may come from any topic, and a failed retrain
 * does not say which model it was for.
 */
const NO_MODEL = new Set<Topic>([TOPICS.deadLetter, TOPICS.retrainFailed]);

/** The model an event concerns: the one its payload names, else the default model, whose topics name none. */
function modelOf(topic: Topic, payload: unknown): string | undefined {
  if (NO_MODEL.has(topic)) return undefined;
  return (payload as { model_name?: string }).model_name ?? DEFAULT_MODEL;
}

function common(topic: Topic, e: EventEnvelope<unknown>, model: string | undefined) {
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
    ...(model ? { model } : {}),
  };
}

function document(
  kind: IndexKind,
  topic: Topic,
  e: EventEnvelope<unknown>,
  model: string | undefined,
  fields: Record<string, unknown>,
  id = e.event_id,
): IndexDocument {
  return { kind, id, eventId: e.event_id, at: new Date(e.occurred_at), body: { ...common(topic, e, model), ...fields } };
}

interface ScoredRequest {
  model: string;
  model_version: number;
  worker: string;
  scoring_latency_ms: number;
  /** Each scored row's own fields: outputs and inputs, in the shape its model's mapping takes. */
  rows: Array<Record<string, unknown>>;
}

/** One compact document per scored row, whatever the model; rolling input statistics live in the stats index. */
function rowDocuments(topic: Topic, e: EventEnvelope<unknown>, r: ScoredRequest): IndexDocument[] {
  return r.rows.map((row, i) =>
    document(
      'predictions',
      topic,
      e,
      r.model,
      {
        model_version: r.model_version,
        worker: r.worker,
        ...row,
        scoring_latency_ms: r.scoring_latency_ms,
        batch_size: r.rows.length,
        batch_index: i,
      },
      `${e.request_id}:${i}`,
    ),
  );
}

/** The default model's rows: its features and classes are fields of their own (`input`, `probabilities`). */
export function predictionDocuments(e: Envelope<typeof TOPICS.predictionMade>): IndexDocument[] {
  const p = e.payload;
  return rowDocuments(TOPICS.predictionMade, e, {
    model: DEFAULT_MODEL,
    model_version: p.model_version,
    worker: p.worker,
    scoring_latency_ms: p.scoring_latency_ms,
    rows: p.predictions.map((scored, i) => ({ ...scored, input: p.instances[i] })),
  });
}

/** A batch reply's documents (see resultViews): every request's, exactly as if it had come in a record of its own. */
export function batchDocuments(views: ResultViews): IndexDocument[] {
  return [...views.made.flatMap(predictionDocuments), ...views.failed.map((v) => eventDocument(TOPICS.predictionFailed, v))];
}

/** What a failed request is indexed as, whichever model it asked for. */
function failureFields(f: { error: string; reason: string; rows: number }) {
  return { error: f.error, reason: f.reason, batch_size: f.rows };
}

/**
 * A named model's row. Its features and classes are any names the model was trained on, so they
 * are name/value entries of nested fields rather than fields of their own: the strict mapping
 * stays bounded whatever the models, and `input` and `probabilities` (the default model's) stay absent.
 */
function namedRow(scored: NamedScoredInstance, instance: Record<string, number>): Record<string, unknown> {
  return {
    prediction: scored.prediction,
    class_id: scored.class_id,
    probability: scored.probability,
    class_probabilities: Object.entries(scored.probabilities).map(([name, probability]) => ({ class: name, probability })),
    features: Object.entries(instance).map(([name, value]) => ({ name, value })),
  };
}

/** A request of a named reply with the ids and trace it would have had in a record of its own (as resultViews gives the default model's). */
function resultEnvelope(batch: EventEnvelope<NamedPredictionMade>, r: NamedResult): EventEnvelope<NamedResult> {
  return {
    event_id: r.event_id,
    event_type: batch.event_type,
    schema_version: batch.schema_version,
    occurred_at: batch.occurred_at,
    producer: batch.producer,
    request_id: r.request_id,
    ...(r.client_request_id ? { client_request_id: r.client_request_id } : {}),
    ...(r.traceparent ? { traceparent: r.traceparent } : {}),
    payload: r,
  };
}

/**
 * A reply for named models: one predictions document per scored row, as the default model's, and
 * one events document per failed request, as the default model's failures. Each carries the
 * request's own event id, which the indexer maps back to the record for a refusal.
 */
export function namedPredictionDocuments(batch: EventEnvelope<NamedPredictionMade>): IndexDocument[] {
  const topic = TOPICS.namedPredictionMade;
  return batch.payload.results.flatMap((r) => {
    const e = resultEnvelope(batch, r);
    if (r.outcome === 'failed') return [document('events', topic, e, r.model, failureFields(r))];
    return rowDocuments(topic, e, {
      model: r.model,
      model_version: r.model_version,
      worker: batch.payload.worker,
      scoring_latency_ms: r.scoring_latency_ms,
      rows: r.predictions.map((scored, i) => namedRow(scored, r.instances[i])),
    });
  });
}

/** One document per row a shadow version scored, beside the served prediction's (same request id). */
export function shadowDocuments(e: Envelope<typeof TOPICS.predictionShadow>): IndexDocument[] {
  const p = e.payload;
  return p.predictions.map((scored, i) =>
    document(
      'shadow',
      TOPICS.predictionShadow,
      e,
      DEFAULT_MODEL,
      {
        model_version: p.model_version,
        serving_version: p.serving_version,
        worker: p.worker,
        prediction: scored.prediction,
        class_id: scored.class_id,
        probability: scored.probability,
        input: p.instances[i],
        batch_index: i,
      },
      `${e.request_id}:${i}:${p.model_version}`,
    ),
  );
}

/** A named model's shadow rows, as the default model's, with its features as name/value entries. */
export function namedShadowDocuments(e: Envelope<typeof TOPICS.namedPredictionShadow>): IndexDocument[] {
  const p = e.payload;
  return p.predictions.map((scored, i) =>
    document(
      'shadow',
      TOPICS.namedPredictionShadow,
      e,
      p.model,
      {
        model_version: p.model_version,
        serving_version: p.serving_version,
        worker: p.worker,
        prediction: scored.prediction,
        class_id: scored.class_id,
        probability: scored.probability,
        features: Object.entries(p.instances[i]).map(([name, value]) => ({ name, value })),
        batch_index: i,
      },
      `${e.request_id}:${i}:${p.model_version}`,
    ),
  );
}

/** A version's registry record, of either registry: a named model's extends the default model's. */
function registeredFields(p: PayloadOf<typeof TOPICS.modelRegistered>) {
  return {
    model_version: p.version,
    status: p.status,
    job_id: p.job_id,
    accuracy: p.model.metrics.accuracy,
    macro_f1: p.model.metrics.macro_f1,
    reason: p.status_reason,
  };
}

/**
 * A named model's window statistics. Its features and classes may be any names, so instead of
 * the default model's `features.<name>`, `drift.<name>` and `class_mix.<class>` objects they are
 * nested entries of fixed fields: `feature_stats` (a feature's summary and, once evaluated, its
 * drift scores) and `class_shares`.
 */
function namedStatsFields(p: PayloadOf<typeof TOPICS.inputStats>): Record<string, unknown> {
  return {
    model_version: p.model_version,
    count: p.count,
    feature_stats: Object.entries(p.features).map(([name, summary]) => ({ name, ...summary, ...p.drift?.[name] })),
    class_shares: Object.entries(p.class_mix).map(([name, share]) => ({ class: name, share })),
    latency_ms: p.latency_ms,
  };
}

/** Every other event: one document in the index for its kind. */
export function eventDocument(topic: Topic, e: EventEnvelope<unknown>): IndexDocument {
  const model = modelOf(topic, e.payload);
  const doc = (kind: IndexKind, fields: Record<string, unknown>, id = e.event_id) => document(kind, topic, e, model, fields, id);
  switch (topic) {
    case TOPICS.inputStats: {
      const p = (e as Envelope<typeof TOPICS.inputStats>).payload;
      if (p.model_name !== undefined) return doc('stats', namedStatsFields(p));
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
      if (p.model_name !== undefined) {
        return doc('drift', {
          model_version: p.model_version,
          window_size: p.window_size,
          drifted_features: p.drifted_features,
          feature_stats: Object.entries(p.features).map(([name, d]) => ({ name, ...d })),
          psi_max: psiMax,
          retrain_requested: p.retrain_requested,
        });
      }
      return doc('drift', {
        model_version: p.model_version,
        window_size: p.window_size,
        drifted_features: p.drifted_features,
        features: p.features,
        psi_max: psiMax,
        retrain_requested: p.retrain_requested,
      });
    }
    case TOPICS.modelRegistered:
      return doc('models', registeredFields((e as Envelope<typeof TOPICS.modelRegistered>).payload));
    case TOPICS.namedModelRegistered: {
      const p = (e as Envelope<typeof TOPICS.namedModelRegistered>).payload;
      // Feature names as one keyword list: any names, one mapped field.
      return doc('models', { ...registeredFields(p), feature_names: p.schema.features.map((f) => f.name), deleted_at: p.deleted_at ?? undefined });
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
    case TOPICS.predictionFailed:
      return doc('events', failureFields((e as Envelope<typeof TOPICS.predictionFailed>).payload));
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
    case TOPICS.namedFeedback: {
      const p = (e as Envelope<typeof TOPICS.namedFeedback>).payload;
      return doc('events', { target_request_id: p.request_id, batch_index: p.row, label: p.label });
    }
    case TOPICS.namedFeedbackLabeled: {
      const p = (e as Envelope<typeof TOPICS.namedFeedbackLabeled>).payload;
      // The input as name/value entries, as a named model's predictions: any names, a bounded mapping.
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
          features: p.input ? Object.entries(p.input).map(([name, value]) => ({ name, value })) : undefined,
        },
        `${p.model_name}/${p.request_id}:${p.row}`,
      );
    }
    case TOPICS.namedModelRouting: {
      const p = (e as Envelope<typeof TOPICS.namedModelRouting>).payload;
      return doc('models', {
        status: 'routing',
        model_version: p.current_version ?? undefined,
        previous_version: p.previous_version ?? undefined,
        shadow_version: p.shadow_version ?? undefined,
        canary_version: p.canary?.version,
        canary_percent: p.canary?.percent,
      });
    }
    case TOPICS.namedModelLive: {
      const p = (e as Envelope<typeof TOPICS.namedModelLive>).payload;
      return doc('live', {
        model_version: p.version,
        labeled: p.labeled,
        correct: p.correct,
        accuracy: p.accuracy ?? undefined,
        accuracy_ci95_low: p.accuracy_ci95?.[0],
        accuracy_ci95_high: p.accuracy_ci95?.[1],
        class_recall: Object.entries(p.per_class_recall).map(([name, recall]) => ({ class: name, recall: recall ?? undefined })),
      });
    }
    case TOPICS.predictionMade:
    case TOPICS.predictionShadow:
    case TOPICS.namedPredictionShadow:
    case TOPICS.predictionBatchMade:
    case TOPICS.namedPredictionMade:
      throw new RangeError(
        'prediction events are indexed per instance: use predictionDocuments (of resultViews for a batch), namedPredictionDocuments, shadowDocuments or namedShadowDocuments',
      );
    case TOPICS.predictionBatchRequested:
    case TOPICS.namedPredictionRequested:
      throw new RangeError('batch requests are not indexed: each request is indexed as its prediction');
  }
}
