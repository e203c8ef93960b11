import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { TOPICS } from '@app/contracts';
import { eventually, postJson as post } from './support/http';
import { ROOT } from './support/infra';
import { Jaeger, tagOf, traceText, type JaegerSpan, type JaegerTrace } from './support/jaeger';
import { testPort } from './support/ports';
import { ServiceProcess } from './support/service-process';

const run = randomUUID().slice(0, 8);
const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const VERSICOLOR = { sepal_length: 6.4, sepal_width: 3.2, petal_length: 4.5, petal_width: 1.5 };
const VIRGINICA = { sepal_length: 6.3, sepal_width: 3.3, petal_length: 6.0, petal_width: 2.5 };

const serviceOf = (trace: JaegerTrace, span: JaegerSpan) => trace.processes[span.processID].serviceName;
const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
const failed = (span: JaegerSpan) => tagOf(span, 'error') === true || tagOf(span, 'otel.status_code') === 'ERROR';

// Every service a process of its own on the real Kafka, exporting spans over OTLP (the worker
// over gRPC, the others over HTTP/protobuf) to a real Jaeger, whose query API the test reads.
describe('tracing across processes: gateway → Kafka → worker → Kafka → gateway, in Jaeger', () => {
  let jaeger: Jaeger;
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let worker: ServiceProcess;

  beforeAll(async () => {
    jaeger = await Jaeger.start({ otlpHttp: testPort(140), otlpGrpc: testPort(141), query: testPort(142), queryGrpc: testPort(143) }, join(ROOT, '.infra', 'test', `jaeger-${run}.log`));
    const tracing = (overrides: Record<string, string> = {}) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${testPort(140)}`,
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      ...overrides,
    });
    const trainer = ServiceProcess.start(`trainer-tr-${run}`, 'trainer', testPort(144), tracing());
    services.push(trainer);
    await trainer.waitReady();
    worker = ServiceProcess.start(
      `worker-tr-${run}`,
      'inference-worker',
      testPort(145),
      tracing({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${testPort(141)}` }),
    );
    // A short reply deadline: the failure test below freezes the worker past it.
    gateway = ServiceProcess.start(`gateway-tr-${run}`, 'gateway', testPort(146), tracing({ PREDICT_TIMEOUT_MS: '1500', KAFKA_SEND_TIMEOUT_MS: '1000' }));
    const monitor = ServiceProcess.start(`monitor-tr-${run}`, 'monitor', testPort(147), tracing());
    services.push(worker, gateway, monitor);
    await Promise.all(services.map((s) => s.waitReady()));
    // Past the first, slow requests of fresh processes: the trace printed below is a warm one.
    for (let i = 0; i < 20; i++) await post(`${gateway.url}/predict`, SETOSA);
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await jaeger?.stop();
  });

  /** The trace of the request the gateway served with this request id, once it holds `spans` spans. */
  async function traceOf(requestId: string, spans: number): Promise<JaegerTrace> {
    return eventually(
      async () => {
        const [found] = await jaeger.search('gateway', { tags: { 'request.id': requestId } });
        const trace = found && (await jaeger.trace(found.traceID));
        return trace && trace.spans.length >= spans ? trace : undefined;
      },
      30_000,
      `the trace of request ${requestId} in Jaeger`,
    );
  }

  it('shows each of three concurrent requests as its own trace across both processes, with parent links between them', async () => {
    const answers = await Promise.all([SETOSA, VERSICOLOR, VIRGINICA].map((f) => post(`${gateway.url}/predict`, f)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const traces = await Promise.all(answers.map((a) => traceOf(a.body.request_id, 7)));
    expect(new Set(traces.map((t) => t.traceID)).size).toBe(3);
    // What docs/monitoring.md shows as the trace of one prediction.
    console.log(`trace ${traces[0].traceID}:\n${traceText(traces[0])}`);
    for (const [i, trace] of traces.entries()) {
      const byName = new Map(trace.spans.map((s) => [s.operationName, s]));
      const layout = trace.spans.map((s) => `${serviceOf(trace, s)}: ${s.operationName}`).sort();
      expect(layout).toEqual(
        [
          'gateway: POST /predict',
          `gateway: enqueue ${TOPICS.predictionBatchRequested}`,
          `gateway: receive ${TOPICS.predictionBatchMade}`,
          `inference-worker: process ${TOPICS.predictionBatchRequested}`,
          'inference-worker: score',
          `inference-worker: send ${TOPICS.predictionBatchMade}`,
          `monitor: index ${TOPICS.predictionBatchMade}`,
        ].sort(),
      );
      const id = (name: string) => byName.get(name)!.spanID;
      expect(parentOf(byName.get(`enqueue ${TOPICS.predictionBatchRequested}`)!)).toBe(id('POST /predict'));
      expect(parentOf(byName.get(`process ${TOPICS.predictionBatchRequested}`)!)).toBe(id(`enqueue ${TOPICS.predictionBatchRequested}`));
      expect(parentOf(byName.get('score')!)).toBe(id(`process ${TOPICS.predictionBatchRequested}`));
      expect(parentOf(byName.get(`send ${TOPICS.predictionBatchMade}`)!)).toBe(id(`process ${TOPICS.predictionBatchRequested}`));
      expect(parentOf(byName.get(`receive ${TOPICS.predictionBatchMade}`)!)).toBe(id(`send ${TOPICS.predictionBatchMade}`));
      expect(parentOf(byName.get(`index ${TOPICS.predictionBatchMade}`)!)).toBe(id(`send ${TOPICS.predictionBatchMade}`));
      const score = byName.get('score')!;
      expect([tagOf(score, 'ml.model.name'), tagOf(score, 'ml.model.version'), tagOf(score, 'ml.rows')]).toEqual(['iris', answers[i].body.model_version, 1]);
      expect(trace.spans.filter(failed)).toEqual([]);
    }
  });

  it('links every request to the span of the batch record that carried it, and back', async () => {
    const res = await post(`${gateway.url}/predict/batch`, { instances: [SETOSA, VIRGINICA] });
    expect(res.status).toBe(200);
    const trace = await traceOf(res.body.request_id, 7);
    const enqueue = trace.spans.find((s) => s.operationName === `enqueue ${TOPICS.predictionBatchRequested}`)!;
    const toRecord = enqueue.references.filter((r) => r.refType === 'FOLLOWS_FROM');
    expect(toRecord).toHaveLength(1);
    const record = (await jaeger.trace(toRecord[0].traceID))!;
    const send = record.spans.find((s) => s.spanID === toRecord[0].spanID)!;
    expect(send.operationName).toBe(`send ${TOPICS.predictionBatchRequested}`);
    expect(send.references.some((r) => r.refType === 'FOLLOWS_FROM' && r.spanID === enqueue.spanID)).toBe(true);
    // The worker's span for the record continues the record's trace.
    const consumed = await eventually(
      async () => (await jaeger.trace(record.traceID))?.spans.find((s) => s.operationName === `process ${TOPICS.predictionBatchRequested}`),
      30_000,
      "the worker's span of the batch record",
    );
    expect(parentOf(consumed)).toBe(send.spanID);
  });

  it('marks a request that timed out with the error status, at the gateway and at the worker that reached it too late', async () => {
    process.kill(worker.pid, 'SIGSTOP');
    let res;
    try {
      res = await post(`${gateway.url}/predict`, SETOSA);
    } finally {
      process.kill(worker.pid, 'SIGCONT');
    }
    expect(res.status).toBe(504);
    const trace = await eventually(
      async () => {
        const t = await traceOf(res.body.request_id, 3);
        return t.spans.some((s) => s.operationName === `process ${TOPICS.predictionBatchRequested}`) ? t : undefined;
      },
      30_000,
      'the worker to answer the late request',
    );
    const byName = new Map(trace.spans.map((s) => [s.operationName, s]));
    expect(failed(byName.get('POST /predict')!)).toBe(true);
    expect(tagOf(byName.get('POST /predict')!, 'http.response.status_code')).toBe(504);
    const process_ = byName.get(`process ${TOPICS.predictionBatchRequested}`)!;
    expect(failed(process_)).toBe(true);
    expect(tagOf(process_, 'ml.failure')).toBe('deadline_exceeded');
    expect(byName.has('score')).toBe(false);
  });
});
