import {
  EVENTS,
  TOPICS,
  createEnvelope,
  type EventEnvelope,
  type NamedPredictionMade,
  type PredictionMade,
  type ScoredInstance,
  type Topic,
} from '@app/contracts';
import { eventDocument, namedPredictionDocuments, predictionDocuments } from './event-documents';

const AT = new Date('2026-03-04T23:59:59.000Z');
const meta = { requestId: 'req-1', producer: 'inference-worker', occurredAt: AT };
const scored = (k: number): ScoredInstance => ({
  prediction: (['setosa', 'versicolor', 'virginica'] as const)[k],
  class_id: k,
  probability: 0.9,
  probabilities: { setosa: k === 0 ? 0.9 : 0.05, versicolor: k === 1 ? 0.9 : 0.05, virginica: k === 2 ? 0.9 : 0.05 },
});
const input = (petal: number) => ({ sepal_length: 5.8, sepal_width: 3, petal_length: petal, petal_width: 1.2 });

function predictionEvent(n: number, eventId = 'evt-1'): EventEnvelope<PredictionMade> {
  const payload: PredictionMade = {
    instances: Array.from({ length: n }, (_, i) => input(1 + i)),
    predictions: Array.from({ length: n }, (_, i) => scored(i % 3)),
    model_version: 3,
    scoring_latency_ms: 1.5,
    worker: 'worker-a',
    reply_to: 'gateway-1',
  };
  return createEnvelope('PredictionMade', payload, { ...meta, eventId });
}

describe('predictionDocuments', () => {
  it('gives a single prediction one document whose id is the request id and row 0', () => {
    const docs = predictionDocuments(predictionEvent(1));
    expect(docs.map((d) => [d.kind, d.id, d.eventId])).toEqual([['predictions', 'req-1:0', 'evt-1']]);
  });

  it('gives a batch prediction one document per instance with ids request_id:row in order', () => {
    const docs = predictionDocuments(predictionEvent(4));
    expect(docs.map((d) => d.id)).toEqual(['req-1:0', 'req-1:1', 'req-1:2', 'req-1:3']);
    expect(docs.map((d) => d.eventId)).toEqual(['evt-1', 'evt-1', 'evt-1', 'evt-1']);
    expect(docs.map((d) => [d.body.batch_index, d.body.batch_size, d.body.input, d.body.prediction])).toEqual([
      [0, 4, input(1), 'setosa'],
      [1, 4, input(2), 'versicolor'],
      [2, 4, input(3), 'virginica'],
      [3, 4, input(4), 'setosa'],
    ]);
  });

  it('gives a request scored twice (a new event id, e.g. by another worker) the same ids, so it overwrites instead of duplicating', () => {
    const first = predictionDocuments(predictionEvent(3));
    const redelivered = predictionDocuments(JSON.parse(JSON.stringify(predictionEvent(3))) as EventEnvelope<PredictionMade>);
    expect(redelivered.map((d) => d.id)).toEqual(first.map((d) => d.id));
    expect(predictionDocuments(predictionEvent(3, 'evt-2')).map((d) => d.id)).toEqual(['req-1:0', 'req-1:1', 'req-1:2']);
  });

  it('carries the trace id of a traced event (from Kibana to the trace), and no trace id field for an untraced one', () => {
    const traced = createEnvelope('PredictionMade', predictionEvent(1).payload, {
      ...meta,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(predictionDocuments(traced)[0].body.trace_id).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect('trace_id' in predictionDocuments(predictionEvent(1))[0].body).toBe(false);
  });

  it("keeps the caller's own request id beside the platform's", () => {
    const e = createEnvelope('PredictionMade', predictionEvent(1).payload, { ...meta, clientRequestId: 'my-req-1' });
    expect(predictionDocuments(e)[0].body).toMatchObject({ request_id: 'req-1', client_request_id: 'my-req-1' });
  });

  it('flattens the scored instance next to the envelope fields', () => {
    const [doc] = predictionDocuments(predictionEvent(1));
    expect(doc.at).toEqual(AT);
    expect(doc.body).toEqual({
      '@timestamp': '2026-03-04T23:59:59.000Z',
      event_id: 'evt-1',
      event_type: 'PredictionMade',
      request_id: 'req-1',
      producer: 'inference-worker',
      topic: 'ml.prediction.made.v1',
      model: 'iris',
      model_version: 3,
      worker: 'worker-a',
      ...scored(0),
      input: input(1),
      scoring_latency_ms: 1.5,
      batch_size: 1,
      batch_index: 0,
    });
  });
});

const TRACE_A = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
const TRACE_BATCH = `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`;

/** Two requests for named models in one reply: one scored (two rows), one failed. */
function namedReply(eventId = 'evt-batch'): EventEnvelope<NamedPredictionMade> {
  const payload: NamedPredictionMade = {
    worker: 'worker-b',
    reply_to: 'gateway-1',
    results: [
      {
        outcome: 'scored',
        request_id: 'req-a',
        client_request_id: 'client-a',
        event_id: 'evt-a',
        traceparent: TRACE_A,
        model: 'churn',
        instances: [
          { tenure: 3, 'monthly charges': 70.5 },
          { tenure: 40, 'monthly charges': 20 },
        ],
        predictions: [
          { prediction: 'yes', class_id: 1, probability: 0.8, probabilities: { no: 0.2, yes: 0.8 } },
          { prediction: 'no', class_id: 0, probability: 0.9, probabilities: { no: 0.9, yes: 0.1 } },
        ],
        model_version: 4,
        scoring_latency_ms: 0.7,
      },
      { outcome: 'failed', request_id: 'req-b', event_id: 'evt-b', model: 'fraud', error: 'unknown_model', reason: 'no model named fraud', rows: 3 },
    ],
  };
  // The record's own ids and trace are the batch's; each request's document must carry its own.
  return createEnvelope('NamedPredictionMade', payload, {
    ...meta,
    requestId: 'req-batch',
    clientRequestId: 'client-batch',
    traceparent: TRACE_BATCH,
    eventId,
  });
}

describe('namedPredictionDocuments', () => {
  it('gives each scored row a predictions document keyed by its request and row, and a failed request an events document keyed by its event id', () => {
    expect(namedPredictionDocuments(namedReply()).map((d) => [d.kind, d.id, d.eventId, d.body.model])).toEqual([
      ['predictions', 'req-a:0', 'evt-a', 'churn'],
      ['predictions', 'req-a:1', 'evt-a', 'churn'],
      ['events', 'evt-b', 'evt-b', 'fraud'],
    ]);
  });

  it('gives a redelivered record (a new record event id) the same document ids, so it overwrites', () => {
    expect(namedPredictionDocuments(namedReply('evt-batch-2')).map((d) => d.id)).toEqual(namedPredictionDocuments(namedReply()).map((d) => d.id));
  });

  it("indexes a row's features and class probabilities as name/value entries, without the default model's input and probabilities", () => {
    const [first, second] = namedPredictionDocuments(namedReply());
    expect(first.at).toEqual(AT);
    expect(first.body).toStrictEqual({
      '@timestamp': '2026-03-04T23:59:59.000Z',
      event_id: 'evt-a',
      event_type: 'NamedPredictionMade',
      request_id: 'req-a',
      client_request_id: 'client-a',
      trace_id: 'a'.repeat(32),
      producer: 'inference-worker',
      topic: 'ml.models.prediction.made.v1',
      model: 'churn',
      model_version: 4,
      worker: 'worker-b',
      prediction: 'yes',
      class_id: 1,
      probability: 0.8,
      class_probabilities: [
        { class: 'no', probability: 0.2 },
        { class: 'yes', probability: 0.8 },
      ],
      features: [
        { name: 'tenure', value: 3 },
        { name: 'monthly charges', value: 70.5 },
      ],
      scoring_latency_ms: 0.7,
      batch_size: 2,
      batch_index: 0,
    });
    expect([second.body.features, second.body.prediction, second.body.batch_index]).toEqual([
      [
        { name: 'tenure', value: 40 },
        { name: 'monthly charges', value: 20 },
      ],
      'no',
      1,
    ]);
  });

  it("indexes a failed request as the default model's failures are, with its model and none of the record's ids", () => {
    const failed = namedPredictionDocuments(namedReply())[2];
    expect(failed.body).toStrictEqual({
      '@timestamp': '2026-03-04T23:59:59.000Z',
      event_id: 'evt-b',
      event_type: 'NamedPredictionMade',
      request_id: 'req-b',
      producer: 'inference-worker',
      topic: 'ml.models.prediction.made.v1',
      model: 'fraud',
      error: 'unknown_model',
      reason: 'no model named fraud',
      batch_size: 3,
    });
  });
});

describe('eventDocument', () => {
  it('keys a training run by job and status, so a job re-run after a crash overwrites its documents', () => {
    const run = (eventId: string) =>
      createEnvelope('TrainingRunRecorded', { job_id: 'job-7', status: 'running' } as never, { ...meta, eventId }) as EventEnvelope<unknown>;
    expect([eventDocument(TOPICS.trainingRun, run('evt-a')).id, eventDocument(TOPICS.trainingRun, run('evt-b')).id]).toEqual([
      'run:job-7:running',
      'run:job-7:running',
    ]);
  });

  it('uses the event id as the document id', () => {
    const e = createEnvelope('RetrainFailed', { job_id: 'job-1', reason: 'boom' }, { ...meta, eventId: 'evt-9' });
    const doc = eventDocument(TOPICS.retrainFailed, e);
    expect([doc.kind, doc.id, doc.eventId, doc.at]).toEqual(['models', 'evt-9', 'evt-9', AT]);
    expect(doc.body).toMatchObject({ status: 'failed', job_id: 'job-1', reason: 'boom', topic: 'ml.retrain.failed.v1' });
  });

  it('records the largest PSI of a drift event as psi_max', () => {
    const d = (psi: number) => ({ psi, ks: 0.1, p_value: 0.5, drifted: false });
    const payload = {
      model_version: 1,
      window_size: 200,
      drifted_features: [],
      features: { sepal_length: d(0.1), petal_length: d(0.7), petal_width: d(0.3) },
      retrain_requested: false,
    };
    expect(eventDocument(TOPICS.driftDetected, createEnvelope('DriftDetected', payload, meta)).body.psi_max).toBe(0.7);
  });

  it("keeps the default model's statistics and drift documents in their own shape: features and classes as fields of their own", () => {
    const summary = { count: 200, mean: 4.2, std: 1.1, min: 1, max: 6.9 };
    const d = (psi: number) => ({ psi, ks: 0.1, p_value: 0.5, drifted: false });
    const stats = {
      model_version: 1,
      count: 200,
      features: { sepal_length: summary, petal_length: summary },
      class_mix: { setosa: 0.5, versicolor: 0.25, virginica: 0.25 },
      latency_ms: { p50: 0.4, p95: 0.9, p99: 1.2 },
      drift: { sepal_length: d(0.1), petal_length: d(0.7) },
    };
    const statsDoc = eventDocument(TOPICS.inputStats, createEnvelope('InputStatsComputed', stats, { ...meta, eventId: 'evt-s' }));
    expect(statsDoc.body).toStrictEqual({
      '@timestamp': '2026-03-04T23:59:59.000Z',
      event_id: 'evt-s',
      event_type: 'InputStatsComputed',
      request_id: 'req-1',
      producer: 'inference-worker',
      topic: 'ml.monitoring.input-stats.v1',
      model: 'iris',
      ...stats,
    });
    const drift = { model_version: 1, window_size: 200, drifted_features: ['petal_length'], features: stats.drift, retrain_requested: true };
    const driftDoc = eventDocument(TOPICS.driftDetected, createEnvelope('DriftDetected', drift, { ...meta, eventId: 'evt-d' }));
    expect(driftDoc.body).toStrictEqual({
      '@timestamp': '2026-03-04T23:59:59.000Z',
      event_id: 'evt-d',
      event_type: 'DriftDetected',
      request_id: 'req-1',
      producer: 'inference-worker',
      topic: 'ml.monitoring.drift.v1',
      model: 'iris',
      ...drift,
      psi_max: 0.7,
    });
  });

  it("indexes a named model's statistics as nested entries per feature (summary and drift scores) and per class, with its name", () => {
    const stats = {
      model_name: 'churn',
      model_version: 4,
      count: 120,
      features: { tenure: { count: 120, mean: 30, std: 12, min: 1, max: 72 }, 'monthly charges': { count: 120, mean: 64.5, std: 30, min: 18, max: 119 } },
      class_mix: { no: 0.75, 'will churn': 0.25 },
      latency_ms: { p50: 0.4, p95: 0.9, p99: 1.2 },
      drift: { tenure: { psi: 0.05, ks: 0.04, p_value: 0.8, drifted: false }, 'monthly charges': { psi: 0.9, ks: 0.5, p_value: 1e-12, drifted: true } },
    };
    const doc = eventDocument(TOPICS.inputStats, createEnvelope('InputStatsComputed', stats, { ...meta, producer: 'monitor', eventId: 'evt-ns' }));
    expect([doc.kind, doc.id]).toEqual(['stats', 'evt-ns']);
    expect(doc.body).toStrictEqual({
      '@timestamp': '2026-03-04T23:59:59.000Z',
      event_id: 'evt-ns',
      event_type: 'InputStatsComputed',
      request_id: 'req-1',
      producer: 'monitor',
      topic: 'ml.monitoring.input-stats.v1',
      model: 'churn',
      model_version: 4,
      count: 120,
      feature_stats: [
        { name: 'tenure', count: 120, mean: 30, std: 12, min: 1, max: 72, psi: 0.05, ks: 0.04, p_value: 0.8, drifted: false },
        { name: 'monthly charges', count: 120, mean: 64.5, std: 30, min: 18, max: 119, psi: 0.9, ks: 0.5, p_value: 1e-12, drifted: true },
      ],
      class_shares: [
        { class: 'no', share: 0.75 },
        { class: 'will churn', share: 0.25 },
      ],
      latency_ms: { p50: 0.4, p95: 0.9, p99: 1.2 },
    });
    // Before the window is large enough for a verdict: the summaries alone.
    const early = eventDocument(TOPICS.inputStats, createEnvelope('InputStatsComputed', { ...stats, drift: null }, meta));
    expect(early.body.feature_stats).toEqual([
      { name: 'tenure', count: 120, mean: 30, std: 12, min: 1, max: 72 },
      { name: 'monthly charges', count: 120, mean: 64.5, std: 30, min: 18, max: 119 },
    ]);
  });

  it("indexes a named model's drift with its scores as nested entries per feature, its name, and no retrain requested", () => {
    const drift = {
      model_name: 'churn',
      model_version: 4,
      window_size: 200,
      drifted_features: ['monthly charges'],
      features: { tenure: { psi: 0.05, ks: 0.04, p_value: 0.8, drifted: false }, 'monthly charges': { psi: 0.9, ks: 0.5, p_value: 1e-12, drifted: true } },
      retrain_requested: false,
    };
    const doc = eventDocument(TOPICS.driftDetected, createEnvelope('DriftDetected', drift, { ...meta, producer: 'monitor', eventId: 'evt-nd' }));
    expect([doc.kind, doc.id]).toEqual(['drift', 'evt-nd']);
    expect(doc.body).toStrictEqual({
      '@timestamp': '2026-03-04T23:59:59.000Z',
      event_id: 'evt-nd',
      event_type: 'DriftDetected',
      request_id: 'req-1',
      producer: 'monitor',
      topic: 'ml.monitoring.drift.v1',
      model: 'churn',
      model_version: 4,
      window_size: 200,
      drifted_features: ['monthly charges'],
      feature_stats: [
        { name: 'tenure', psi: 0.05, ks: 0.04, p_value: 0.8, drifted: false },
        { name: 'monthly charges', psi: 0.9, ks: 0.5, p_value: 1e-12, drifted: true },
      ],
      psi_max: 0.9,
      retrain_requested: false,
    });
  });

  it('defaults the reason of a retrain request without one to manual', () => {
    const doc = eventDocument(TOPICS.retrainRequested, createEnvelope('RetrainRequested', { job_id: 'job-2' }, meta));
    expect([doc.kind, doc.body.job_id, doc.body.reason]).toEqual(['events', 'job-2', 'manual']);
  });

  it('refuses a prediction event, which is indexed per instance', () => {
    expect(() => eventDocument(TOPICS.predictionMade, predictionEvent(1))).toThrow(RangeError);
    expect(() => eventDocument(TOPICS.namedPredictionMade, namedReply())).toThrow(RangeError);
  });

  it('refuses a named prediction request, which is indexed as its prediction', () => {
    const e = createEnvelope('NamedPredictionRequested', { reply_to: 'gateway-1', requests: [] } as never, meta) as EventEnvelope<unknown>;
    expect(() => eventDocument(TOPICS.namedPredictionRequested, e)).toThrow(RangeError);
  });

  it("names the model of a training run, decision or registry command by its payload's model name, and the default model when it names none", () => {
    const modelOf = (topic: Topic, payload: object) => [
      eventDocument(topic, createEnvelope(EVENTS[topic].type, { ...payload, model_name: 'churn' }, meta)).body.model,
      eventDocument(topic, createEnvelope(EVENTS[topic].type, payload, meta)).body.model,
    ];
    expect(modelOf(TOPICS.trainingRun, { job_id: 'job-7', status: 'running' })).toEqual(['churn', 'iris']);
    expect(modelOf(TOPICS.modelDecision, { command_id: 'c-1', action: 'promote', source: 'manual', outcome: 'applied' })).toEqual(['churn', 'iris']);
    expect(modelOf(TOPICS.registryCommand, { command_id: 'c-1', action: 'archive_model', source: 'manual' })).toEqual(['churn', 'iris']);
  });

  it("names the default model on its own topics' documents, and no model on events that concern none", () => {
    const labeled = eventDocument(TOPICS.feedback, createEnvelope('FeedbackReceived', { request_id: 'req-1', row: 0, label: 'setosa' }, meta));
    expect(labeled.body.model).toBe('iris');
    const failed = eventDocument(TOPICS.retrainFailed, createEnvelope('RetrainFailed', { job_id: 'job-1', reason: 'boom' }, meta));
    const parked = eventDocument(
      TOPICS.deadLetter,
      createEnvelope('DeadLettered', { source_topic: 'ml.models.prediction.made.v1', consumer_group: 'g', reason: 'bad' } as never, meta),
    );
    expect(['model' in failed.body, 'model' in parked.body]).toEqual([false, false]);
  });

  it("indexes a named model's version in the models index with its feature names as one list, and when it was archived", () => {
    const version = (deletedAt: string | null) =>
      createEnvelope(
        'NamedModelRegistered',
        {
          version: 2,
          status: 'current',
          status_reason: 'beat version 1',
          parent_version: 1,
          job_id: 'job-3',
          registered_at: AT.toISOString(),
          model: { metrics: { accuracy: 0.91, macro_f1: 0.88 } },
          model_name: 'churn',
          schema: {
            label: 'churned',
            features: [
              { name: 'tenure', min: 0, max: 72 },
              { name: 'monthly charges', min: 18, max: 119 },
            ],
          },
          deleted_at: deletedAt,
        } as never,
        { ...meta, eventId: 'evt-reg' },
      );
    const doc = eventDocument(TOPICS.namedModelRegistered, version(null));
    expect([doc.kind, doc.id]).toEqual(['models', 'evt-reg']);
    expect(doc.body).toMatchObject({
      topic: 'ml.models.registered.v1',
      model: 'churn',
      model_version: 2,
      status: 'current',
      job_id: 'job-3',
      accuracy: 0.91,
      macro_f1: 0.88,
      reason: 'beat version 1',
      feature_names: ['tenure', 'monthly charges'],
    });
    expect(doc.body.deleted_at).toBeUndefined();
    expect(eventDocument(TOPICS.namedModelRegistered, version('2026-03-05T10:00:00.000Z')).body.deleted_at).toBe('2026-03-05T10:00:00.000Z');
  });
});
