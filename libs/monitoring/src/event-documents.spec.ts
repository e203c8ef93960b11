import { TOPICS, createEnvelope, type EventEnvelope, type PredictionMade, type ScoredInstance } from '@app/contracts';
import { eventDocument, predictionDocuments } from './event-documents';

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

  it('defaults the reason of a retrain request without one to manual', () => {
    const doc = eventDocument(TOPICS.retrainRequested, createEnvelope('RetrainRequested', { job_id: 'job-2' }, meta));
    expect([doc.kind, doc.body.job_id, doc.body.reason]).toEqual(['events', 'job-2', 'manual']);
  });

  it('refuses a prediction event, which is indexed per instance', () => {
    expect(() => eventDocument(TOPICS.predictionMade, predictionEvent(1))).toThrow(RangeError);
  });
});
