import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type request from 'supertest';
import { TOPICS } from '@app/contracts';
import type { EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { startTestPlatform } from './support/embedded';
import { eventually } from './support/http';
import { inMemoryTracing } from './support/in-memory-tracing';
import { OipGrpcClient } from './support/oip-grpc-client';
import { testPort } from './support/ports';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const VIRGINICA = { sepal_length: 6.3, sepal_width: 3.3, petal_length: 6.0, petal_width: 2.5 };
const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

/** The prediction documents of a request the file sink has written so far (none before its first write). */
function documentsOf(dataDir: string, requestId: string): Array<Record<string, unknown>> {
  const file = join(dataDir, 'documents', 'predictions.ndjson');
  if (!existsSync(file)) return [];
  // Whole lines only: the sink may be mid-write.
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l))
    .filter((d) => d.request_id === requestId);
}
const idOf = (s: ReadableSpan) => s.spanContext().spanId;

// The whole path in one process (the in-memory bus), every span to memory: the shape of a trace
// is the same over Kafka (tracing.kafka.e2e-spec.ts checks it across processes, in Jaeger).
describe('tracing (embedded mode, spans kept in memory)', () => {
  let tracing: ReturnType<typeof inMemoryTracing>;
  let platform: EmbeddedPlatform;
  let http: ReturnType<typeof request>;
  let grpc: OipGrpcClient;
  const dataDir = mkdtempSync(join(tmpdir(), 'tracing-'));
  const logs: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    tracing = inMemoryTracing();
    // Each service logs to stdout (its own JsonLogger): kept here instead, read by the log test.
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) if (line.startsWith('{')) logs.push(JSON.parse(line));
      return true;
    });
    ({ platform, http } = await startTestPlatform('tracing', { EMBEDDED_DATA_DIR: dataDir, LOG_LEVEL: 'info', GRPC_PORT: String(testPort(130)) }));
    grpc = new OipGrpcClient(testPort(130));
  });
  afterAll(async () => {
    grpc?.close();
    await platform?.close();
    await tracing?.stop();
    jest.restoreAllMocks();
  });

  /** Every span of the trace whose server span served `requestId`, once its receive and index spans have ended. */
  async function traceOf(requestId: string): Promise<ReadableSpan[]> {
    return eventually(
      async () => {
        const server = tracing.spans().find((s) => s.attributes['request.id'] === requestId && s.name.startsWith('POST'));
        const spans = server ? tracing.spans().filter((s) => s.spanContext().traceId === server.spanContext().traceId) : [];
        const done = [`receive ${TOPICS.predictionBatchMade}`, `index ${TOPICS.predictionBatchMade}`].every((name) => spans.some((s) => s.name === name));
        return done ? spans : undefined;
      },
      10_000,
      `the trace of ${requestId}`,
    );
  }

  it('gives each of two concurrent requests its own trace: server → enqueue → process → score → send → receive, and the indexing', async () => {
    const [a, b] = await Promise.all([http.post('/predict').send(SETOSA), http.post('/predict').send(VIRGINICA)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [ta, tb] = await Promise.all([traceOf(a.body.request_id), traceOf(b.body.request_id)]);
    expect(ta[0].spanContext().traceId).not.toBe(tb[0].spanContext().traceId);
    for (const [trace, rows] of [
      [ta, a],
      [tb, b],
    ] as const) {
      const byName = new Map(trace.map((s) => [s.name, s]));
      expect([...byName.keys()].sort()).toEqual(
        [
          'POST /predict',
          `enqueue ${TOPICS.predictionBatchRequested}`,
          `process ${TOPICS.predictionBatchRequested}`,
          'score',
          `send ${TOPICS.predictionBatchMade}`,
          `receive ${TOPICS.predictionBatchMade}`,
          `index ${TOPICS.predictionBatchMade}`,
        ].sort(),
      );
      expect(trace).toHaveLength(7);
      const span = (name: string) => byName.get(name)!;
      expect(parentOf(span('POST /predict'))).toBeUndefined();
      expect(parentOf(span(`enqueue ${TOPICS.predictionBatchRequested}`))).toBe(idOf(span('POST /predict')));
      expect(parentOf(span(`process ${TOPICS.predictionBatchRequested}`))).toBe(idOf(span(`enqueue ${TOPICS.predictionBatchRequested}`)));
      expect(parentOf(span('score'))).toBe(idOf(span(`process ${TOPICS.predictionBatchRequested}`)));
      expect(parentOf(span(`send ${TOPICS.predictionBatchMade}`))).toBe(idOf(span(`process ${TOPICS.predictionBatchRequested}`)));
      expect(parentOf(span(`receive ${TOPICS.predictionBatchMade}`))).toBe(idOf(span(`send ${TOPICS.predictionBatchMade}`)));
      expect(parentOf(span(`index ${TOPICS.predictionBatchMade}`))).toBe(idOf(span(`send ${TOPICS.predictionBatchMade}`)));
      expect(span('score').attributes).toMatchObject({ 'ml.model.name': 'iris', 'ml.model.version': rows.body.model_version, 'ml.rows': 1 });
      expect(span('POST /predict').attributes).toMatchObject({ 'http.route': '/predict', 'http.response.status_code': 200 });
      expect(trace.every((s) => s.status.code !== SpanStatusCode.ERROR)).toBe(true);
    }
  });

  it("links each request's enqueue span to the span of the record that carried it, and back", async () => {
    const res = await http.post('/predict').send(SETOSA);
    const trace = await traceOf(res.body.request_id);
    const enqueue = trace.find((s) => s.name === `enqueue ${TOPICS.predictionBatchRequested}`)!;
    expect(enqueue.links).toHaveLength(1);
    const record = tracing.spans().find((s) => idOf(s) === enqueue.links[0].context.spanId)!;
    expect(record.name).toBe(`send ${TOPICS.predictionBatchRequested}`);
    expect(record.spanContext().traceId).not.toBe(enqueue.spanContext().traceId);
    expect(record.links.map((l) => l.context.spanId)).toContain(idOf(enqueue));
    // The worker's span for that record continues it, and links the request's enqueue span too.
    const consumed = tracing.spans().find((s) => s.name === `process ${TOPICS.predictionBatchRequested}` && parentOf(s) === idOf(record))!;
    expect(consumed.links.map((l) => l.context.spanId)).toContain(idOf(enqueue));
  });

  it("puts the trace id in the request's log line and in its monitoring documents", async () => {
    const res = await http.post('/predict/batch').send({ instances: [SETOSA, VIRGINICA] });
    expect(res.status).toBe(200);
    const trace = await traceOf(res.body.request_id);
    const traceId = trace[0].spanContext().traceId;
    const access = await eventually(
      async () => logs.find((l) => l.message === 'http request' && l.request_id === res.body.request_id),
      5_000,
      'the access log line',
    );
    expect(access.trace_id).toBe(traceId);
    const documents = await eventually(
      async () => {
        const mine = documentsOf(dataDir, res.body.request_id);
        return mine.length === 2 ? mine : undefined;
      },
      10_000,
      'two prediction documents',
    );
    expect(documents.map((d) => d.trace_id)).toEqual([traceId, traceId]);
  });

  it("links a caller's traceparent rather than continuing it (TRACE_CALLER_CONTEXT=link, the default)", async () => {
    const res = await http.post('/predict').set('traceparent', CALLER).send(SETOSA);
    const trace = await traceOf(res.body.request_id);
    const server = trace.find((s) => s.name === 'POST /predict')!;
    expect(server.spanContext().traceId).not.toBe(CALLER.slice(3, 35));
    expect(parentOf(server)).toBeUndefined();
    expect(server.links.map((l) => `${l.context.traceId}-${l.context.spanId}`)).toEqual([CALLER.slice(3, 52)]);
  });

  it("makes no span for a request that is not sampled, yet its log line and documents name its trace (a caller's unsampled trace, followed)", async () => {
    const unsampled = '00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
    const followDir = mkdtempSync(join(tmpdir(), 'tracing-follow-'));
    const follow = await startTestPlatform('tracing-follow', { EMBEDDED_DATA_DIR: followDir, LOG_LEVEL: 'info', TRACE_CALLER_CONTEXT: 'follow' });
    try {
      tracing.reset();
      const res = await follow.http.post('/predict').set('traceparent', unsampled).send(SETOSA);
      expect(res.status).toBe(200);
      const [document] = await eventually(
        async () => {
          const mine = documentsOf(followDir, res.body.request_id);
          return mine.length === 1 ? mine : undefined;
        },
        10_000,
        'the prediction document',
      );
      expect(document.trace_id).toBe('5bf92f3577b34da6a3ce929d0e0e4736');
      const access = await eventually(
        async () => logs.find((l) => l.message === 'http request' && l.request_id === res.body.request_id),
        5_000,
        'the access log line',
      );
      expect(access.trace_id).toBe('5bf92f3577b34da6a3ce929d0e0e4736');
      expect(tracing.spans().filter((s) => s.spanContext().traceId === '5bf92f3577b34da6a3ce929d0e0e4736')).toEqual([]);
    } finally {
      await follow.platform.close();
    }
  });

  it('traces a gRPC ModelInfer call like an HTTP request: a server span, then the same path', async () => {
    const request = { model_name: 'iris', inputs: [{ name: 'input-0', datatype: 'FP64', shape: [1, 4], contents: { fp64_contents: [5.1, 3.5, 1.4, 0.2] } }] };
    const { metadata } = await grpc.call('ModelInfer', request);
    expect(metadata.get('x-request-id')).toHaveLength(1);
    const server = await eventually(async () => tracing.spans().find((s) => s.name === 'grpc modelInfer'), 5_000, 'the gRPC server span');
    expect(server.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.method': 'modelInfer', 'rpc.grpc.status_code': 0 });
    const names = await eventually(
      async () => {
        const spans = tracing.spans().filter((s) => s.spanContext().traceId === server.spanContext().traceId);
        return spans.some((s) => s.name === `receive ${TOPICS.predictionBatchMade}`) ? spans.map((s) => s.name) : undefined;
      },
      10_000,
      'the receive span in the gRPC trace',
    );
    expect(names).toEqual(expect.arrayContaining([`enqueue ${TOPICS.predictionBatchRequested}`, 'score', `receive ${TOPICS.predictionBatchMade}`]));
  });

  it('traces a retrain from the request through the trainer to the model it makes ready', async () => {
    const accepted = await http.post('/retrain').send({});
    expect(accepted.status).toBe(202);
    const server = await eventually(
      async () => tracing.spans().find((s) => s.name === 'POST /retrain' && s.attributes['http.response.status_code'] === 202),
      5_000,
      'the retrain server span',
    );
    const names = await eventually(
      async () => {
        const spans = tracing.spans().filter((s) => s.spanContext().traceId === server.spanContext().traceId);
        const ready = spans.filter((s) => s.name === `process ${TOPICS.modelReady}`);
        return ready.length > 0 ? spans.map((s) => s.name) : undefined;
      },
      20_000,
      'the model-ready span in the retrain trace',
    );
    expect(names).toEqual(expect.arrayContaining(['POST /retrain', `process ${TOPICS.retrainRequested}`, 'train', `process ${TOPICS.modelReady}`]));
    const train = tracing.spans().find((s) => s.name === 'train' && s.spanContext().traceId === server.spanContext().traceId)!;
    expect(train.attributes).toMatchObject({ 'ml.training.status': expect.stringMatching(/^(promoted|rejected)$/), 'ml.dataset': 'iris' });
    expect(train.attributes['ml.accuracy']).toBeGreaterThan(0.8);
  });
});
