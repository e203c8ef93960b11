import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { IRIS_ROWS, mulberry32 } from '@app/model';
import { eventually, getJson, postJson } from './support/http';
import { ELASTICSEARCH_URL, runScript, tcpReachable } from './support/infra';
import { ServiceProcess } from './support/service-process';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Elasticsearch documents are read loosely in assertions
type Doc = Record<string, any>;

const run = randomUUID().slice(0, 8);
const prefix = `e2e-${run}`;
const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };

/** Iris rows drawn with a fixed seed: traffic from the training distribution. */
function irisTraffic(n: number, seed: number, petalShift = 0) {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const [sepal_length, sepal_width, petal_length, petal_width] = IRIS_ROWS[Math.floor(random() * IRIS_ROWS.length)].features;
    return { sepal_length, sepal_width, petal_length: Math.round((petal_length + petalShift) * 10) / 10, petal_width };
  });
}

async function sendAll(url: string, bodies: object[], requestIds: string[], concurrency = 10) {
  const statuses: number[] = [];
  for (let i = 0; i < bodies.length; i += concurrency) {
    const wave = bodies.slice(i, i + concurrency).map((b, j) => postJson(`${url}/predict`, b, { 'x-request-id': requestIds[i + j] }));
    statuses.push(...(await Promise.all(wave)).map((r) => r.status));
  }
  return statuses;
}

describe('monitoring over real Kafka and real Elasticsearch', () => {
  const es = new Client({ node: ELASTICSEARCH_URL });
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  const env = { ES_INDEX_PREFIX: prefix, MONITOR_SINK: 'elasticsearch' };

  const count = async (kind: string, query: object) => {
    await es.indices.refresh({ index: `${prefix}-${kind}-*`, ignore_unavailable: true, allow_no_indices: true });
    return (await es.count({ index: `${prefix}-${kind}-*`, query, ignore_unavailable: true, allow_no_indices: true })).count;
  };

  beforeAll(async () => {
    const trainer = ServiceProcess.start(`trainer-m-${run}`, 'trainer', 3432, env);
    services.push(trainer);
    await trainer.waitReady();
    services.push(
      ServiceProcess.start(`worker-m-${run}`, 'inference-worker', 3433, env),
      ServiceProcess.start(`monitor-m-${run}`, 'monitor', 3434, { ...env, STATS_PUBLISH_SECONDS: '2', DRIFT_CHECK_EVERY: '50' }),
    );
    gateway = ServiceProcess.start(`gateway-m-${run}`, 'gateway', 3431, env);
    services.push(gateway);
    await Promise.all(services.map((s) => s.waitReady()));
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    // This run's indices and templates only: the prefix is unique to the run.
    await es.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
    await es.indices.deleteIndexTemplate({ name: `${prefix}-*` }).catch(() => undefined);
    await es.close();
  });

  it('indexes a prediction with its input, outputs, model version, latency and input_stats', async () => {
    const requestId = `indexed-${run}`;
    const res = await postJson(`${gateway.url}/predict`, SETOSA, { 'x-request-id': requestId });
    expect(res.status).toBe(200);
    const hit = await eventually(
      async () => {
        await es.indices.refresh({ index: `${prefix}-predictions-*`, ignore_unavailable: true, allow_no_indices: true });
        const r = await es.search<Doc>({
          index: `${prefix}-predictions-*`,
          query: { term: { request_id: requestId } },
          ignore_unavailable: true,
          allow_no_indices: true,
        });
        return r.hits.hits[0];
      },
      30_000,
      'the indexed prediction',
    );
    expect(hit._index).toMatch(new RegExp(`^${prefix}-predictions-\\d{4}\\.\\d{2}\\.\\d{2}$`));
    expect(hit._source).toMatchObject({
      event_type: 'PredictionMade',
      request_id: requestId,
      model_version: res.body.model_version,
      prediction: 'setosa',
      class_id: 0,
      probability: res.body.probability,
      input: SETOSA,
      batch_size: 1,
    });
    expect(hit._source!.scoring_latency_ms).toBeGreaterThan(0);
    expect(hit._source!.input_stats.petal_length).toMatchObject({ count: expect.any(Number), mean: expect.any(Number), std: expect.any(Number) });
    expect(hit._id).toBe(hit._source!.event_id);

    const template = await es.indices.getIndexTemplate({ name: `${prefix}-predictions` });
    const mappings = template.index_templates[0].index_template.template!.mappings!;
    expect(mappings.dynamic).toBe('strict');
    expect(mappings.properties!.prediction).toEqual({ type: 'keyword' });
    expect(mappings.properties!['@timestamp']).toEqual({ type: 'date' });
  });

  it('finds the indexed prediction at GET /predictions/{request_id}, also for Prefer: respond-async', async () => {
    const accepted = await postJson(`${gateway.url}/predict`, SETOSA, { prefer: 'respond-async', 'x-request-id': `async-${run}` });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toBe(`/predictions/async-${run}`);
    const found = await eventually(
      async () => {
        const r = await getJson(`${gateway.url}/predictions/async-${run}`);
        return r.body.source === 'elasticsearch' ? r.body : undefined;
      },
      30_000,
      'the indexed async prediction',
    );
    expect(found).toMatchObject({ status: 'success', request_id: `async-${run}`, predictions: [{ prediction: 'setosa', input: SETOSA }] });
  });

  it('indexes the retrain lifecycle and statistics, raises no drift for 300 in-distribution requests, and a drift event for 300 with petal_length + 2.5', async () => {
    // A new version starts a fresh window, so earlier test traffic does not count.
    const job = await postJson(`${gateway.url}/retrain`, { reason: 'manual' });
    const version = await eventually(
      async () => {
        const r = await getJson(`${gateway.url}/retrain/${job.body.job_id}`);
        return r.body.status === 'promoted' ? (r.body.model_version as number) : undefined;
      },
      60_000,
      'the retrained version',
    );
    await eventually(async () => ((await postJson(`${gateway.url}/predict`, SETOSA)).body.model_version === version ? true : undefined));
    // The retrain's lifecycle is indexed: run records (running, promoted) and the registry record.
    await eventually(async () => ((await count('models', { term: { job_id: job.body.job_id } })) >= 3 ? true : undefined), 30_000, 'lifecycle documents');
    const driftEvents = () => count('drift', { bool: { filter: [{ term: { model_version: version } }, { term: { event_type: 'DriftDetected' } }] } });

    const normal = irisTraffic(300, 1);
    expect(
      await sendAll(
        gateway.url,
        normal,
        normal.map((_, i) => `normal-${run}-${i}`),
      ),
    ).toEqual(Array(300).fill(200));
    await eventually(
      async () => ((await count('predictions', { prefix: { request_id: `normal-${run}-` } })) === 300 ? true : undefined),
      30_000,
      '300 indexed',
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(await driftEvents()).toBe(0);
    // Periodic statistics of this version's window, with drift scores that stay below the threshold.
    const stats = await eventually(
      async () => {
        await es.indices.refresh({ index: `${prefix}-stats-*` });
        const r = await es.search<Doc>({
          index: `${prefix}-stats-*`,
          query: { bool: { filter: [{ term: { model_version: version } }, { range: { count: { gte: 300 } } }] } },
        });
        return r.hits.hits[0]?._source;
      },
      30_000,
      'a statistics document',
    );
    expect(stats.event_type).toBe('InputStatsComputed');
    expect(stats.features.petal_length.mean).toBeGreaterThan(3);
    expect(stats.features.petal_length.mean).toBeLessThan(4.6);
    expect(stats.drift.petal_length.psi).toBeLessThan(0.25);

    const shifted = irisTraffic(300, 2, 2.5);
    expect(
      await sendAll(
        gateway.url,
        shifted,
        shifted.map((_, i) => `shifted-${run}-${i}`),
      ),
    ).toEqual(Array(300).fill(200));
    await eventually(async () => ((await driftEvents()) > 0 ? true : undefined), 30_000, 'a drift event');
    const drift = await es.search<Doc>({ index: `${prefix}-drift-*`, query: { term: { model_version: version } } });
    const doc = drift.hits.hits[0]._source!;
    expect(doc.event_type).toContain('Drift');
    expect(doc.drifted_features).toContain('petal_length');
    expect(doc.features.petal_length.psi).toBeGreaterThan(0.25);
    expect(doc.features.petal_length.p_value).toBeLessThan(0.001);
    expect(await driftEvents()).toBe(1);
  });

  it('loses and duplicates nothing when Elasticsearch is stopped for 20 s mid-stream', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `outage-${run}-${i}`);
    const bodies = irisTraffic(120, 3);
    await sendAll(gateway.url, bodies.slice(0, 40), ids.slice(0, 40));
    runScript('scripts/infra/elasticsearch.sh', 'down');
    if (await tcpReachable(new URL(ELASTICSEARCH_URL).host))
      throw new Error('Elasticsearch still answers: this test needs the local one managed by scripts/infra/elasticsearch.sh');
    const outageStarted = Date.now();
    const during: number[] = [];
    for (let i = 40; i < 80; i += 10) {
      during.push(...(await sendAll(gateway.url, bodies.slice(i, i + 10), ids.slice(i, i + 10))));
      await new Promise((r) => setTimeout(r, 4000));
    }
    expect(during).toEqual(Array(40).fill(200));
    expect(Date.now() - outageStarted).toBeGreaterThanOrEqual(16_000);
    runScript('scripts/infra/elasticsearch.sh', 'up');
    await sendAll(gateway.url, bodies.slice(80), ids.slice(80));
    await eventually(async () => ((await count('predictions', { prefix: { request_id: `outage-${run}-` } })) >= 120 ? true : undefined), 90_000, 'catch-up');
    await new Promise((r) => setTimeout(r, 3000));
    expect(await count('predictions', { prefix: { request_id: `outage-${run}-` } })).toBe(120);
    const perRequest = await es.search({
      index: `${prefix}-predictions-*`,
      size: 0,
      query: { prefix: { request_id: `outage-${run}-` } },
      aggs: { ids: { cardinality: { field: 'request_id' } } },
    });
    expect((perRequest.aggregations!.ids as { value: number }).value).toBe(120);
  });
});
