import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS, TOPIC_SPECS, TOPICS, createEnvelope, decodeEvent } from '@app/contracts';
import { compileScorer, fitGaussianNB, irisDataset, parseTabularCsv } from '@app/model';
import { replyPartitionFor, type EventBus } from '@app/messaging';
import { checkAnswers, type Sent } from './support/answer-check';
import { distinctFlower } from './support/distinct-flowers';
import type { Row } from './support/feature-rows';
import { KAFKA_BROKERS, ROOT } from './support/infra';
import { kafkaTestBus } from './support/kafka-bus';
import { getJson, postJson as post } from './support/http';
import { testPort } from './support/ports';
import { ServiceProcess } from './support/service-process';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const run = randomUUID().slice(0, 8);
const REPLY_PARTITIONS = TOPIC_SPECS[TOPICS.predictionMade].partitions;
const GATEWAY = `gateway-${run}`;
// Each gateway derives its reply partition from its instance id, as in production; the second id
// is picked so that the two gateways read different partitions.
const SECOND_GATEWAY = Array.from({ length: REPLY_PARTITIONS * 10 }, (_, i) => `gateway2-${run}-${i}`).find(
  (id) => replyPartitionFor(id, REPLY_PARTITIONS) !== replyPartitionFor(GATEWAY, REPLY_PARTITIONS),
)!;

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

/** The reply partition a service logged at start ("service started"). */
function loggedReplyPartition(name: string): number | undefined {
  const started = readFileSync(join(ROOT, '.infra', 'test', `${name}.log`), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { message?: string; reply_partition?: number })
    .find((e) => e.message === 'service started');
  return started?.reply_partition;
}

/**
 * `clients` concurrent callers, each sending `perClient` requests one after another to its
 * gateway (client c to gateways[c % gateways.length]), every request with flowers of its own:
 * flower `first + 3 * (c * perClient + k) + i` for row i of client c's k-th request. Every third
 * request is a batch of three rows, the others one row.
 */
async function concurrentClients(gateways: ServiceProcess[], clients: number, perClient: number, first: number): Promise<Sent[]> {
  const client = async (c: number): Promise<Sent[]> => {
    const sent: Sent[] = [];
    for (let k = 0; k < perClient; k++) {
      const base = first + 3 * (c * perClient + k);
      const rows: Row[] = Array.from({ length: k % 3 === 2 ? 3 : 1 }, (_, i) => distinctFlower(base + i));
      const url = gateways[c % gateways.length].url;
      const res = rows.length === 1 ? await post(`${url}/predict`, rows[0]) : await post(`${url}/predict/batch`, { instances: rows });
      sent.push({ label: `client ${c} request ${k}`, rows, res });
    }
    return sent;
  };
  return (await Promise.all(Array.from({ length: clients }, (_, c) => client(c)))).flat();
}

describe('prediction path over real Kafka: gateway → two workers in one group → gateway', () => {
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let secondGateway: ServiceProcess;
  let workers: ServiceProcess[];
  const bus = kafkaTestBus(`e2e-${run}`);

  beforeAll(async () => {
    await bus.connect();
    const trainer = ServiceProcess.start(`trainer-${run}`, 'trainer', testPort(12));
    services.push(trainer);
    await trainer.waitReady();
    // The workers believe the broker takes at most 150 kB per message, so a 1000-row reply is refused on their side.
    const workerEnv = { KAFKA_MAX_MESSAGE_BYTES: '150000' };
    workers = [
      ServiceProcess.start(`worker-a-${run}`, 'inference-worker', testPort(13), workerEnv),
      ServiceProcess.start(`worker-b-${run}`, 'inference-worker', testPort(14), workerEnv),
    ];
    // A generous reply deadline: the 502 test below must get the worker's failure report, never a timeout.
    gateway = ServiceProcess.start(GATEWAY, 'gateway', testPort(11), { PREDICT_TIMEOUT_MS: '30000' });
    secondGateway = ServiceProcess.start(SECOND_GATEWAY, 'gateway', testPort(15), { KAFKA_MAX_MESSAGE_BYTES: '100000' });
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

  it('each gateway reads the reply partition its instance id hashes to, and the two differ', () => {
    const partitions = [GATEWAY, SECOND_GATEWAY].map(loggedReplyPartition);
    expect(partitions).toEqual([replyPartitionFor(GATEWAY, REPLY_PARTITIONS), replyPartitionFor(SECOND_GATEWAY, REPLY_PARTITIONS)]);
    expect(partitions[0]).not.toBe(partitions[1]);
  });

  it('answers 8 concurrent clients on two gateways, each request with the scoring of its own rows, spread over both workers', async () => {
    const before = await Promise.all(workers.map(predictionsServed));
    const sent = await concurrentClients([gateway, secondGateway], 8, 15, 0);
    expect(sent.map((s) => s.res.status)).toEqual(Array(120).fill(200));
    expect(new Set(sent.map((s) => s.res.body.request_id)).size).toBe(120);
    // 5 of each client's 15 requests are batches of three rows: 8 × (10 + 15) rows.
    expect(await checkAnswers(gateway.url, sent)).toEqual({ checked: 200, wrong: [], indistinguishable: [] });
    const after = await Promise.all(workers.map(predictionsServed));
    const served = after.map((n, i) => n - before[i]);
    expect(served[0] + served[1]).toBe(200);
    expect(served[0]).toBeGreaterThan(0);
    expect(served[1]).toBeGreaterThan(0);
  });

  it('answers concurrent clients of iris and of a model trained from a CSV, mixed on two gateways and two workers, each with its own rows', async () => {
    const name = `wine-${run}`;
    const accepted = await post(`${gateway.url}/models/${name}/retrain`, {
      dataset: { source: 'csv', path: 'wine-train.csv', label: 'class' },
      holdout: { source: 'csv', path: 'wine-test.csv', label: 'class' },
    });
    expect(accepted.status).toBe(202);
    const servesWine = async (g: ServiceProcess) => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        if ((await getJson(`${g.url}/models/${name}`)).body.current_version === 1) return;
      }
      throw new Error(`${g.name} does not serve ${name}`);
    };
    await Promise.all([gateway, secondGateway].map(servesWine));
    // The trainer fits every training row (the holdout is given): the same fit here is the reference.
    const train = parseTabularCsv(readFileSync(join(ROOT, 'data', 'wine-train.csv'), 'utf8'), 'class').data;
    const test = parseTabularCsv(readFileSync(join(ROOT, 'data', 'wine-test.csv'), 'utf8'), 'class').data;
    const score = compileScorer(fitGaussianNB(train));
    const wineRow = (i: number) => Object.fromEntries(test.featureNames.map((f, j) => [f, test.X[i % 45][j] + Math.floor(i / 45) * 0.001 * (j + 1)]));

    const wineClient = async (c: number) => {
      const out: Array<{ row: Record<string, number>; body: Record<string, unknown>; status: number }> = [];
      for (let k = 0; k < 10; k++) {
        const row = wineRow(c * 10 + k);
        const res = await post(`${(c % 2 ? secondGateway : gateway).url}/models/${name}/predict`, row);
        out.push({ row, body: res.body, status: res.status });
      }
      return out;
    };
    const [wine, iris] = await Promise.all([
      Promise.all([0, 1, 2, 3].map(wineClient)).then((x) => x.flat()),
      concurrentClients([gateway, secondGateway], 4, 10, 600),
    ]);
    expect(wine.map((w) => w.status)).toEqual(Array(40).fill(200));
    expect(iris.map((s) => s.res.status)).toEqual(Array(40).fill(200));
    const wrong = wine.filter((w) => {
      const expected = score(train.featureNames.map((f) => w.row[f]));
      const probabilities = w.body.probabilities as Record<string, number>;
      return w.body.model !== name || train.classNames.some((c, k) => Math.abs(probabilities[c] - expected.probabilities[k]) > 1e-12);
    });
    expect(wrong).toEqual([]);
    expect(await checkAnswers(gateway.url, iris)).toMatchObject({ wrong: [], indistinguishable: [] });

    // A named request that is not its contract is parked with the reason, like the default model's.
    const invalid = `invalid-named-${run}`;
    const envelope = createEnvelope(
      'NamedPredictionRequested',
      { reply_to: 'nobody', requests: [{ request_id: invalid, model: 'Not A Name', instances: [{ a: 1 }] }] },
      { requestId: invalid, producer: 'e2e' },
    );
    await bus.send(TOPICS.namedPredictionRequested, [{ key: invalid, value: JSON.stringify(envelope), headers: { 'x-request-id': invalid } }]);
    expect((await deadLetterFor(bus, invalid)).reason).toMatch(/^invalid NamedPredictionRequested payload: requests\.0\.model: must be a lowercase letter/);
  });

  it('reads only its own reply partition: replies to another gateway never reach it', async () => {
    const consumed = async (g: ServiceProcess) => {
      const text = await (await fetch(`${g.url}/metrics`)).text();
      const line = new RegExp(`^events_consumed_total\\{topic="${TOPICS.predictionBatchMade}",group="gateway\\.[^"]+",outcome="ok"\\} (\\d+)`, 'm').exec(text);
      return line ? Number(line[1]) : 0;
    };
    const [aBefore, bBefore] = await Promise.all([consumed(gateway), consumed(secondGateway)]);
    const sent = await concurrentClients([gateway], 4, 10, 1000);
    expect(sent.map((s) => s.res.status)).toEqual(Array(40).fill(200));
    expect(await checkAnswers(gateway.url, sent)).toEqual({ checked: 64, wrong: [], indistinguishable: [] });
    // Concurrent requests share reply records: at least one, at most one per request, none for the other gateway.
    const [a, b] = [(await consumed(gateway)) - aBefore, (await consumed(secondGateway)) - bBefore];
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThanOrEqual(40);
    expect(b).toBe(0);
  });

  it('refuses at the gateway, with 413 naming the limit, a batch whose reply the broker would refuse', async () => {
    const res = await post(`${secondGateway.url}/predict/batch`, { instances: Array.from({ length: 1000 }, () => SETOSA) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 'error', error: 'reply_too_large', limit_bytes: 100000, max_rows: 244 });
    expect(res.body.message).toMatch(/KAFKA_MAX_MESSAGE_BYTES/);
  });

  it("fails with 502 from the worker's failure report, not a timeout, a request whose reply a worker cannot send, and parks it with the reason", async () => {
    // This gateway waits 30 s for a reply: a 502 (not a 504) is the worker's report arriving first.
    const res = await post(`${gateway.url}/predict/batch`, { instances: Array.from({ length: 1000 }, () => SETOSA) }, { 'x-request-id': `huge-${run}` });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ status: 'error', error: 'reply_too_large', client_request_id: `huge-${run}` });
    expect(res.body.message).toMatch(/exceeds the broker's message limit of 150000 bytes/);
    const parked = await deadLetterFor(bus, res.body.request_id);
    expect(parked).toMatchObject({ source_topic: TOPICS.predictionBatchRequested, consumer_group: 'inference-worker' });
    expect(parked.reason).toMatch(new RegExp(`^reply to request ${res.body.request_id} not sent: record of`));
    expect(parked.reason).toMatch(/not sent: record of \d+ bytes exceeds the broker's message limit of 150000 bytes/);
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
