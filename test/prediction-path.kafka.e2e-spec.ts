import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS, TOPIC_SPECS, TOPICS, createEnvelope, decodeEvent } from '@app/contracts';
import { compileScorer, irisDataset } from '@app/model';
import type { EventBus } from '@app/messaging';
import { KAFKA_BROKERS } from './support/infra';
import { kafkaTestBus } from './support/kafka-bus';
import { getJson, postJson as post } from './support/http';
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
    // The workers believe the broker takes at most 150 kB per message, so a 1000-row reply is refused on their side.
    const workerEnv = { KAFKA_MAX_MESSAGE_BYTES: '150000' };
    workers = [
      ServiceProcess.start(`worker-a-${run}`, 'inference-worker', 3413, workerEnv),
      ServiceProcess.start(`worker-b-${run}`, 'inference-worker', 3414, workerEnv),
    ];
    gateway = ServiceProcess.start(`gateway-${run}`, 'gateway', 3411, { REPLY_PARTITION: '0' });
    secondGateway = ServiceProcess.start(`gateway2-${run}`, 'gateway', 3415, { REPLY_PARTITION: '1', KAFKA_MAX_MESSAGE_BYTES: '100000' });
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
    expect(res.body).toMatchObject({ status: 'success', prediction: 'setosa', class_id: 0, client_request_id: `kafka-${run}` });
    expect(res.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.model_version).toBeGreaterThanOrEqual(1);
  });

  it('spreads requests over both workers of the consumer group, and each gateway gets its own replies', async () => {
    const before = await Promise.all(workers.map(predictionsServed));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => post(`${(i % 2 ? gateway : secondGateway).url}/predict`, SETOSA)));
    expect(results.map((r) => r.status)).toEqual(Array(60).fill(200));
    expect(new Set(results.map((r) => r.body.request_id)).size).toBe(60);
    const after = await Promise.all(workers.map(predictionsServed));
    const served = after.map((n, i) => n - before[i]);
    expect(served[0] + served[1]).toBe(60);
    expect(served[0]).toBeGreaterThan(0);
    expect(served[1]).toBeGreaterThan(0);
  });

  it('reads only its own reply partition: replies to another gateway never reach it', async () => {
    const consumed = async (g: ServiceProcess) => {
      const text = await (await fetch(`${g.url}/metrics`)).text();
      const line = new RegExp(`^events_consumed_total\\{topic="${TOPICS.predictionMade}",group="gateway\\.[^"]+",outcome="ok"\\} (\\d+)`, 'm').exec(text);
      return line ? Number(line[1]) : 0;
    };
    const [aBefore, bBefore] = await Promise.all([consumed(gateway), consumed(secondGateway)]);
    const results = await Promise.all(Array.from({ length: 40 }, () => post(`${gateway.url}/predict`, SETOSA)));
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect([(await consumed(gateway)) - aBefore, (await consumed(secondGateway)) - bBefore]).toEqual([40, 0]);
  });

  it('refuses at the gateway, with 413 naming the limit, a batch whose reply the broker would refuse', async () => {
    const res = await post(`${secondGateway.url}/predict/batch`, { instances: Array.from({ length: 1000 }, () => SETOSA) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 'error', error: 'reply_too_large', limit_bytes: 100000, max_rows: 244 });
    expect(res.body.message).toMatch(/KAFKA_MAX_MESSAGE_BYTES/);
  });

  it('fails at once (502, not a timeout) a request whose reply a worker cannot send, and parks the request with the reason', async () => {
    const started = Date.now();
    const res = await post(`${gateway.url}/predict/batch`, { instances: Array.from({ length: 1000 }, () => SETOSA) }, { 'x-request-id': `huge-${run}` });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ status: 'error', error: 'reply_too_large', client_request_id: `huge-${run}` });
    expect(res.body.message).toMatch(/exceeds the broker's message limit of 150000 bytes/);
    const parked = await deadLetterFor(bus, res.body.request_id);
    expect(parked).toMatchObject({ source_topic: TOPICS.predictionRequested, consumer_group: 'inference-worker' });
    expect(parked.reason).toMatch(/^reply not sent: record of \d+ bytes exceeds the broker's message limit of 150000 bytes/);
    expect((await post(`${gateway.url}/predict`, SETOSA)).status).toBe(200);
  });

  it('scores the 150 iris rows as a batch in input order, exactly as the serving version scores them', async () => {
    const iris = irisDataset();
    const instances = iris.X.map(([sepal_length, sepal_width, petal_length, petal_width]) => ({ sepal_length, sepal_width, petal_length, petal_width }));
    const res = await post(`${gateway.url}/predict/batch`, { instances });
    expect(res.status).toBe(200);
    // Whatever version earlier runs left current, its own parameters say what each row must get.
    const model = (await getJson(`${gateway.url}/models/${res.body.model_version}`)).body;
    const score = compileScorer(model.params);
    expect(res.body.predictions.map((p: { class_id: number; probability: number }) => [p.class_id, p.probability])).toEqual(
      iris.X.map((x) => [score(x).classId, score(x).probability]),
    );
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
      consumer_group: 'inference-worker',
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
