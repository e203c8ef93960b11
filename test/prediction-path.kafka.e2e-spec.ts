import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS, TOPIC_SPECS, TOPICS, createEnvelope, decodeEvent } from '@app/contracts';
import { irisDataset } from '@app/model';
import type { EventBus } from '@app/messaging';
import { KAFKA_BROKERS } from './support/infra';
import { kafkaTestBus } from './support/kafka-bus';
import { postJson as post } from './support/http';
import { ServiceProcess } from './support/service-process';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const run = randomUUID().slice(0, 8);

async function predictionsServed(worker: ServiceProcess): Promise<number> {
  const text = await (await fetch(`${worker.url}/metrics`)).text();
  return [...text.matchAll(/^predictions_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

async function deadLetterFor(bus: EventBus, requestId: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const m of await bus.readToEnd(TOPICS.deadLetter)) {
      const d = decodeEvent(TOPICS.deadLetter, m.value);
      if (d.ok && d.event.request_id === requestId) return d.event.payload;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no dead letter for ${requestId}`);
}

describe('prediction path over real Kafka: gateway → two workers in one group → gateway', () => {
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let secondGateway: ServiceProcess;
  let workers: ServiceProcess[];
  const bus = kafkaTestBus(`e2e-${run}`);

  beforeAll(async () => {
    await bus.connect();
    const trainer = ServiceProcess.start(`trainer-${run}`, 'trainer', 3412);
    services.push(trainer);
    await trainer.waitReady();
    workers = [ServiceProcess.start(`worker-a-${run}`, 'inference-worker', 3413), ServiceProcess.start(`worker-b-${run}`, 'inference-worker', 3414)];
    gateway = ServiceProcess.start(`gateway-${run}`, 'gateway', 3411);
    secondGateway = ServiceProcess.start(`gateway2-${run}`, 'gateway', 3415);
    services.push(...workers, gateway, secondGateway);
    await Promise.all(services.map((s) => s.waitReady()));
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await bus.close();
  });

  it('answers a setosa prediction scored by a worker', async () => {
    const res = await post(`${gateway.url}/predict`, SETOSA, { 'x-request-id': `kafka-${run}` });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'success', prediction: 'setosa', class_id: 0, request_id: `kafka-${run}` });
    expect(res.body.model_version).toBeGreaterThanOrEqual(1);
  });

  it('spreads requests over both workers of the consumer group, and each gateway gets its own replies', async () => {
    const before = await Promise.all(workers.map(predictionsServed));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => post(`${(i % 2 ? gateway : secondGateway).url}/predict`, SETOSA)));
    expect(results.map((r) => r.status)).toEqual(Array(60).fill(200));
    const after = await Promise.all(workers.map(predictionsServed));
    const served = after.map((n, i) => n - before[i]);
    expect(served[0] + served[1]).toBe(60);
    expect(served[0]).toBeGreaterThan(0);
    expect(served[1]).toBeGreaterThan(0);
  });

  it('scores the 150 iris rows as a batch in input order', async () => {
    const iris = irisDataset();
    const instances = iris.X.map(([sepal_length, sepal_width, petal_length, petal_width]) => ({ sepal_length, sepal_width, petal_length, petal_width }));
    const res = await post(`${gateway.url}/predict/batch`, { instances });
    expect(res.status).toBe(200);
    const predicted: number[] = res.body.predictions.map((p: { class_id: number }) => p.class_id);
    const correct = predicted.filter((c, i) => c === iris.y[i]).length;
    expect(correct).toBeGreaterThanOrEqual(140);
    expect(predicted.slice(0, 50)).toEqual(Array(50).fill(0));
  });

  it('parks malformed and invalid events on the dead-letter topic with the reason, and keeps serving', async () => {
    const garbage = `garbage-${run}`;
    await bus.send(TOPICS.predictionRequested, [{ key: garbage, value: 'not json {', headers: { 'x-request-id': garbage } }]);
    const invalid = `invalid-${run}`;
    const envelope = createEnvelope(
      'PredictionRequested',
      { instances: [{ ...SETOSA, sepal_length: 'x' }], reply_to: 'nobody' },
      { requestId: invalid, producer: 'e2e' },
    );
    await bus.send(TOPICS.predictionRequested, [{ key: invalid, value: JSON.stringify(envelope), headers: { 'x-request-id': invalid } }]);

    const parkedGarbage = await deadLetterFor(bus, garbage);
    expect(parkedGarbage).toMatchObject({
      source_topic: TOPICS.predictionRequested,
      consumer_group: 'inference-worker.ml.prediction.requested.v1',
      value: 'not json {',
    });
    expect(parkedGarbage.reason).toMatch(/^invalid JSON/);
    const parkedInvalid = await deadLetterFor(bus, invalid);
    expect(parkedInvalid.reason).toBe('invalid PredictionRequested payload: instances.0.sepal_length: must be a number');

    expect((await post(`${gateway.url}/predict`, SETOSA)).status).toBe(200);
  });

  it('creates every contract topic with its partition count and cleanup policy', async () => {
    const admin = new Kafka({ brokers: KAFKA_BROKERS.split(','), clientId: `e2e-admin-${run}`, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ALL_TOPICS });
      expect(Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]))).toEqual(
        Object.fromEntries(ALL_TOPICS.map((t) => [t, TOPIC_SPECS[t].partitions])),
      );
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPICS.modelReady, configNames: ['cleanup.policy'] }],
      });
      expect(configs.resources[0].configEntries[0].configValue).toBe('compact');
    } finally {
      await admin.disconnect();
    }
  });
});
