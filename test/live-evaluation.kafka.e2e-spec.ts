import { randomUUID } from 'node:crypto';
import { TOPICS, createEnvelope, decodeEvent, type ModelDecision } from '@app/contracts';
import type { EventBus } from '@app/messaging';
import { IRIS_ROWS, compileScorer, type GaussianNBParams } from '@app/model';
import { eventually, getJson, postJson } from './support/http';
import { ELASTICSEARCH_URL } from './support/infra';
import { kafkaTestBus } from './support/kafka-bus';
import { testNamespace } from './support/namespace';
import { testPort } from './support/ports';
import { ServiceProcess } from './support/service-process';
import { promotableRetrain, servingState } from './support/training-expectation';
import { asRow, boundaryRows, vector, type Row } from './support/feature-rows';

// Topics, groups and indices of this run only: an empty registry, no labels or decisions from earlier runs.
const ns = testNamespace('live');
const { run } = ns;
/** Decisions are judged on the last 100 labeled rows: the rollback test's own 100, whatever other tests labeled before. */
const LIVE = { ...ns.env, LIVE_MIN_LABELS: '30', LIVE_WINDOW: '100', LIVE_COOLDOWN_SECONDS: '0', LIVE_PUBLISH_SECONDS: '1', LIVE_ALPHA: '0.01' };
/** Each monitor a test starts takes the next port of this spec's block. */
const monitorPorts = [43, 44, 45, 46].map(testPort);

describe('live evaluation over real Kafka and Elasticsearch', () => {
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let monitor: ServiceProcess | undefined;
  let bus: EventBus;
  /** The version this run trains (nothing labeled it before) and the one serving before it. */
  let fresh: number;
  let before: number;

  const get = async (path: string) => (await getJson(`${gateway.url}${path}`)).body;
  const params = async (version: number) => (await get(`/models/${version}`)).params as GaussianNBParams;
  const classify = async (version: number) => {
    const score = compileScorer(await params(version));
    return (r: Row) => score(vector(r)).className;
  };
  const predictBatch = async (rows: Row[]) => {
    const res = await postJson(`${gateway.url}/predict/batch`, { instances: rows });
    expect(res.status).toBe(200);
    return res.body;
  };
  const label = async (items: Array<{ request_id: string; row: number; label: string }>) => {
    const res = await postJson(`${gateway.url}/feedback`, { items });
    expect([res.status, res.body.accepted, res.body.rejected]).toEqual([202, items.length, 0]);
  };
  const labeledFor = (version: number, count: number) =>
    eventually(
      async () => {
        const body = await get(`/models/${version}/live`);
        return body.labeled >= count ? body : undefined;
      },
      30_000,
      `${count} labeled rows for version ${version}`,
    );
  const liveFigures = async (version: number) => (await get(`/models/${version}/live`)) as { labeled: number; correct: number };
  /** Stops the running monitor, if any, and starts one with these settings; its state comes from the topics and Elasticsearch. */
  const replaceMonitor = async (env: Record<string, string>) => {
    await monitor?.stop();
    const port = monitorPorts.shift();
    if (port === undefined) throw new Error("no monitor port left in this spec's block");
    monitor = ServiceProcess.start(`monitor-l${port}-${run}`, 'monitor', port, { ...LIVE, ...env });
    await monitor.waitReady();
  };
  const decisions = async () =>
    (await bus.readToEnd(TOPICS.modelDecision)).flatMap((m) => {
      const d = decodeEvent(TOPICS.modelDecision, m.value);
      return d.ok ? [d.event.payload as ModelDecision] : [];
    });

  beforeAll(async () => {
    bus = kafkaTestBus(`e2e-live-${run}`, ns.kafkaPrefix);
    await bus.connect();
    const trainer = ServiceProcess.start(`trainer-l-${run}`, 'trainer', testPort(41), LIVE);
    services.push(trainer);
    await trainer.waitReady();
    const worker = ServiceProcess.start(`worker-l-${run}`, 'inference-worker', testPort(42), LIVE);
    gateway = ServiceProcess.start(`gateway-l-${run}`, 'gateway', testPort(40), LIVE);
    services.push(worker, gateway);
    await Promise.all([...services.map((s) => s.waitReady()), replaceMonitor({ AUTO_ROLLBACK: 'false' })]);
    const serving = await servingState(gateway.url);
    before = serving.version;
    // A model that differs from the serving one, which the trainer of this namespace registered.
    const servingChecksum = (await get('/models/current')).checksum as string;
    let fromSeed = 101;
    let pick = promotableRetrain(serving, 0.3, fromSeed);
    while (pick.expected.artifact_checksum === servingChecksum) pick = promotableRetrain(serving, 0.3, (fromSeed = pick.request.random_state + 1));
    const { request } = pick;
    const job = (await postJson(`${gateway.url}/retrain`, request)).body.job_id as string;
    await eventually(async () => ((await get(`/retrain/${job}`)).status === 'promoted' ? true : undefined), 60_000, 'a fresh version promoted');
    fresh = serving.nextVersion;
    await eventually(
      async () => ((await predictBatch([asRow(IRIS_ROWS[0].features)])).model_version === fresh ? true : undefined),
      30_000,
      'the fresh version serving',
    );
  });

  afterAll(async () => {
    await Promise.all([...services, ...(monitor ? [monitor] : [])].map((s) => s.stop()));
    await bus.close();
    await ns.remove();
  });

  it('gives live accuracy equal to the offline accuracy of the version on 300 labeled rows', async () => {
    const start = await liveFigures(fresh);
    const rows = [...IRIS_ROWS, ...IRIS_ROWS];
    const answers = [await predictBatch(rows.slice(0, 150).map((r) => asRow(r.features))), await predictBatch(rows.slice(150).map((r) => asRow(r.features)))];
    expect(answers.map((a) => a.model_version)).toEqual([fresh, fresh]);
    await label(rows.map((r, i) => ({ request_id: answers[i < 150 ? 0 : 1].request_id, row: i % 150, label: r.label })));
    const mine = await classify(fresh);
    const correct = start.correct + rows.filter((r) => mine(asRow(r.features)) === r.label).length;
    const labeled = start.labeled + 300;
    const figures = await labeledFor(fresh, labeled);
    expect(figures).toMatchObject({ version: fresh, labeled, correct, accuracy: correct / labeled });
    const indexed = await eventually(
      async () => {
        const res = await fetch(`${ELASTICSEARCH_URL}/${ns.indexPrefix}-feedback-*/_count`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: { bool: { filter: [{ terms: { target_request_id: answers.map((a) => a.request_id) } }, { term: { joined: true } }] } },
          }),
        });
        const count = ((await res.json()) as { count: number }).count;
        return count === 300 ? count : undefined;
      },
      30_000,
      '300 labeled documents in Elasticsearch',
    );
    expect(indexed).toBe(300);
  });

  it('reports shadow agreement of the previous version with the fresh one on the same requests', async () => {
    expect((await postJson(`${gateway.url}/models/${before}/shadow`, {})).status).toBe(200);
    await eventually(async () => ((await get('/models')).shadow_version === before ? true : undefined), 10_000);
    const rows = IRIS_ROWS.map((r) => asRow(r.features));
    // The worker reads the routing change through Kafka: send until shadow scores show up.
    const [a, b] = [await classify(fresh), await classify(before)];
    const agreed = rows.filter((r) => a(r) === b(r)).length;
    // Every batch is the same 150 rows, so however many were shadowed, the agreement is the same fraction.
    const comparison = await eventually(
      async () => {
        await predictBatch(rows);
        const c = (await get(`/models/${fresh}/live`)).comparisons.find((x: { other_version: number }) => x.other_version === before);
        return c && c.compared >= 150 ? c : undefined;
      },
      30_000,
      'shadow comparisons',
    );
    expect(comparison.compared % 150).toBe(0);
    expect(comparison.agreement).toBe(agreed / 150);
    expect((await fetch(`${gateway.url}/models/${before}/shadow`, { method: 'DELETE' })).status).toBe(200);
  });

  it('joins labels sent after the monitor restarted, from the indexed predictions, and a label sent before its prediction', async () => {
    // Earlier tests waited until the monitor counted their labels, so this is settled.
    const start = (await liveFigures(fresh)).labeled;
    const rows = IRIS_ROWS.slice(0, 40).map((r) => asRow(r.features));
    const answer = await predictBatch(rows);
    const early = randomUUID();
    await label([{ request_id: early, row: 0, label: 'setosa' }]);
    // The predictions must be indexed before the monitor goes: its replacement has none of them in memory.
    await eventually(
      async () => ((await getJson(`${gateway.url}/predictions/${answer.request_id}`)).body.source === 'elasticsearch' ? true : undefined),
      30_000,
    );
    await replaceMonitor({ AUTO_ROLLBACK: 'false' });
    await label(rows.map((_, i) => ({ request_id: answer.request_id, row: i, label: IRIS_ROWS[i].label })));
    const envelope = createEnvelope(
      'PredictionRequested',
      { instances: [rows[0]], reply_to: 'nobody' },
      { requestId: early, producer: 'e2e', eventId: randomUUID() },
    );
    await bus.send(TOPICS.predictionRequested, [{ key: early, value: JSON.stringify(envelope), headers: { 'x-request-id': early } }]);
    const figures = await labeledFor(fresh, start + 41);
    expect(figures.labeled).toBe(start + 41);
  });

  it('rolls back to the previous version when feedback shows it significantly better, with the p-value in the event', async () => {
    const [mine, theirs] = [await classify(fresh), await classify(before)];
    const candidates = boundaryRows(await params(fresh));
    const disputed = candidates.filter((r) => mine(r) !== theirs(r));
    expect(disputed.length).toBeGreaterThan(0);
    const rows = Array.from({ length: 100 }, (_, i) => disputed[i % disputed.length]);
    const start = (await liveFigures(fresh)).labeled;
    const answer = await predictBatch(rows);
    expect(answer.model_version).toBe(fresh);
    await label(rows.map((r, i) => ({ request_id: answer.request_id, row: i, label: theirs(r) })));
    // Counted by the monitor that decides nothing, then judged by one with AUTO_ROLLBACK that reads
    // every labeled row at start: its window is these 100 rows whole, not the first batch of them
    // beside rows of earlier tests.
    await labeledFor(fresh, start + 100);
    await replaceMonitor({ AUTO_ROLLBACK: 'true' });
    const rollback = await eventually(
      async () => (await decisions()).find((d) => d.action === 'rollback' && d.source === 'auto' && d.previous_version === fresh),
      60_000,
      'an automatic rollback',
    );
    expect(rollback).toMatchObject({
      outcome: 'applied',
      version: before,
      evidence: { test: 'mcnemar-exact', labeled: 100, challenger_only_correct: 100, incumbent_only_correct: 0, alpha: 0.01 },
    });
    // Exact McNemar, 100 discordant rows all one way: 2 × 0.5^100.
    expect(rollback.evidence!.p_value).toBeCloseTo(2 * 0.5 ** 100, 40);
    await eventually(async () => ((await get('/models/current')).version === before ? true : undefined), 30_000, 'the previous version current again');
    const indexed = await eventually(
      async () => {
        const res = await fetch(`${ELASTICSEARCH_URL}/${ns.indexPrefix}-models-*/_search`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: { term: { command_id: rollback.command_id } } }),
        });
        const hits = ((await res.json()) as { hits: { hits: Array<{ _source: Record<string, unknown> }> } }).hits.hits;
        return hits.find((h) => h._source.status === 'decision:rollback')?._source;
      },
      30_000,
      'the rollback decision indexed',
    );
    expect(indexed).toMatchObject({
      source: 'auto',
      outcome: 'applied',
      model_version: before,
      previous_version: fresh,
      evidence: { p_value: rollback.evidence!.p_value },
    });
  });
});
