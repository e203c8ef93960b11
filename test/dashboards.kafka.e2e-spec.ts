import { status as GrpcStatus } from '@grpc/grpc-js';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@app/contracts';
import { IRIS_ROWS } from '@app/model';
import { alertQueries, dashboardQueries, loadDashboard, withVariables } from './support/grafana-dashboard';
import { eventually, getJson, metricValue, postJson } from './support/http';
import { ELASTICSEARCH_URL, KAFKA_BROKERS, ROOT } from './support/infra';
import { testNamespace } from './support/namespace';
import { OipGrpcClient } from './support/oip-grpc-client';
import { testPort } from './support/ports';
import { PrometheusServer, type Series } from './support/prometheus-server';
import { promqlNames } from './support/promql';
import { ServiceProcess } from './support/service-process';
import { promotableRetrain, servingState } from './support/training-expectation';

// The Grafana dashboard and the alerting rules of deploy/grafana against the real services: the four
// of them on Kafka and Elasticsearch, scraped every second by the Prometheus that
// scripts/tools/install-prometheus.sh builds, after a load that moves every metric a panel shows.
// The dashboard's JSON against Grafana's schema is test/deploy/grafana-dashboard.spec.ts (no servers needed).
const ns = testNamespace('dashboards');
const { run } = ns;
const FINAL = ['promoted', 'rejected', 'failed'];
const APPS = ['gateway', 'inference-worker', 'trainer', 'monitor'];
const flower = (i: number) => {
  const [sepal_length, sepal_width, petal_length, petal_width] = IRIS_ROWS[i % IRIS_ROWS.length].features;
  return { sepal_length, sepal_width, petal_length, petal_width };
};

describe('the Grafana dashboard and alerting rules of deploy/grafana, queried on Prometheus scraping the real services', () => {
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let worker: ServiceProcess;
  let prometheus: PrometheusServer;
  let grpc: OipGrpcClient;
  let promotedVersion: number;
  const queries = dashboardQueries(loadDashboard());

  const seen = async (expr: string) => {
    const answer = await prometheus.query(expr);
    return answer.status === 'success' && answer.data.result.length > 0 ? answer.data.result : undefined;
  };

  beforeAll(async () => {
    const trainer = ServiceProcess.start(`trainer-d-${run}`, 'trainer', testPort(122), {
      ...ns.env,
      // Nothing listens there: the trainer's MLflow mirror retries, so its backlog and error panels have data.
      MLFLOW_TRACKING_URI: `http://127.0.0.1:${testPort(126)}`,
      MLFLOW_RETRY_MAX_MS: '1000',
    });
    services.push(trainer);
    await trainer.waitReady();
    worker = ServiceProcess.start(`worker-d-${run}`, 'inference-worker', testPort(123), ns.env);
    // The monitor indexes into the real Elasticsearch; drift and live accuracy are published every second.
    const monitor = ServiceProcess.start(`monitor-d-${run}`, 'monitor', testPort(124), {
      ...ns.env,
      ELASTICSEARCH_URL,
      STATS_PUBLISH_SECONDS: '1',
      DRIFT_MIN_WINDOW: '10',
      DRIFT_CHECK_EVERY: '10',
      LIVE_PUBLISH_SECONDS: '1',
    });
    gateway = ServiceProcess.start(`gateway-d-${run}`, 'gateway', testPort(120), { ...ns.env, GRPC_PORT: String(testPort(121)) });
    services.push(worker, monitor, gateway);
    await Promise.all(services.map((s) => s.waitReady()));
    const ports = { gateway: testPort(120), 'inference-worker': testPort(123), trainer: testPort(122), monitor: testPort(124) };
    prometheus = PrometheusServer.start(
      `prometheus-d-${run}`,
      testPort(125),
      APPS.map((job) => ({ job, port: ports[job as keyof typeof ports] })),
      [join(ROOT, 'deploy/grafana/alerts.rules.yml')],
    );
    await prometheus.waitReady();
    grpc = new OipGrpcClient(testPort(121));

    // A retrain, so the version panels step from 1 to 2 and the retrain events are consumed.
    const { request } = promotableRetrain(await servingState(gateway.url), 0.3, 7);
    const accepted = await postJson(`${gateway.url}/retrain`, request);
    const job = await eventually(async () => {
      const r = await getJson(`${gateway.url}/retrain/${accepted.body.job_id}`);
      return FINAL.includes(r.body.status) ? r.body : undefined;
    }, 60_000);
    expect(job.status).toBe('promoted');
    promotedVersion = job.model_version;
    await eventually(async () => ((await metricValue(worker.url, 'model_current_version')) === promotedVersion ? true : undefined), 30_000);

    // Predictions one at a time (enough for a drift window), concurrent ones (batched into shared
    // Kafka records), a batch, and errors: a body that is no flower, a version that does not exist.
    const answers = [];
    for (let i = 0; i < 30; i++) answers.push(await postJson(`${gateway.url}/predict`, flower(i * 5)));
    answers.push(...(await Promise.all(Array.from({ length: 16 }, (_, i) => postJson(`${gateway.url}/predict`, flower(i * 9))))));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const batch = await postJson(`${gateway.url}/predict/batch`, { instances: Array.from({ length: 20 }, (_, i) => flower(i * 7)) });
    expect(batch.status).toBe(200);
    expect((await postJson(`${gateway.url}/predict`, { sepal_length: 'wide' })).status).toBe(400);
    expect((await getJson(`${gateway.url}/models/999`)).status).toBe(404);
    // Ground truth for one answer: live accuracy.
    const labeled = await postJson(`${gateway.url}/feedback`, { request_id: answers[0].body.request_id, row: 0, label: answers[0].body.prediction });
    expect(labeled.status).toBe(202);
    // gRPC: a call, a failing call, and a connection that never sends the HTTP/2 preface.
    await grpc.call('ModelInfer', {
      model_name: 'iris',
      inputs: [{ name: 'input-0', datatype: 'FP64', shape: [1, 4], contents: { fp64_contents: IRIS_ROWS[0].features } }],
    });
    expect((await grpc.failure('ModelInfer', { model_name: 'iris', model_version: '999', inputs: [] })).code).toBe(GrpcStatus.NOT_FOUND);
    await new Promise<void>((resolve) => {
      const socket = createConnection(testPort(121), '127.0.0.1', () => socket.end('GET / HTTP/1.1\r\n\r\n'));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    // A message that is not JSON, which its consumer parks on the dead-letter topic.
    const producer = new Kafka({ clientId: `e2e-dashboards-${run}`, brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: ns.kafkaPrefix + TOPICS.feedback, messages: [{ value: 'not json' }] });
    await producer.disconnect();

    // Until Prometheus has scraped the last of these effects, then two scrapes more.
    for (const expr of [
      `model_current_version{job="inference-worker"} == ${promotedVersion}`,
      'drift_psi',
      'live_accuracy',
      'events_consumed_total{outcome="dead_lettered"}',
      'grpc_connections_refused_total{reason="handshake"}',
      'grpc_requests_total{code!="OK"}',
      'mlflow_mirror_errors_total',
      'feedback_total{outcome="joined"}',
    ]) {
      await eventually(() => seen(expr), 30_000, `Prometheus to have scraped ${expr}`);
    }
    await new Promise((r) => setTimeout(r, 2_500));
  }, 240_000);

  afterAll(async () => {
    grpc?.close();
    await prometheus?.stop();
    await Promise.all(services.map((s) => s.stop()));
    await ns.remove();
  });

  it('evaluates every dashboard query and every alerting rule expression without error', async () => {
    const failed = [];
    for (const { source, expr } of [...queries, ...alertQueries()]) {
      const answer = await prometheus.query(withVariables(expr));
      if (answer.status !== 'success') failed.push(`${source}: ${answer.error}`);
    }
    expect(failed).toEqual([]);
    expect(queries.length).toBeGreaterThan(30);
  });

  // The load above moves every metric a panel shows (no panel is left to an existence check), so
  // an empty answer is a query that names a series the services never produce.
  it('gets data for every dashboard query', async () => {
    const empty = [];
    for (const { source, expr } of queries) if (!(await seen(withVariables(expr)))) empty.push(source);
    expect(empty).toEqual([]);
  });

  it('names only metrics and labels the scraped services expose, in the dashboard and in the alerting rules', async () => {
    const names = new Set((await prometheus.api<string[]>('label/__name__/values')).data);
    const labelsOf = async (metric: string) => {
      const series = (await prometheus.api<Array<Series['metric']>>('series', { 'match[]': metric })).data;
      return new Set(series.flatMap((s) => Object.keys(s)));
    };
    const problems = [];
    for (const { source, expr } of [...queries, ...alertQueries()]) {
      const { metrics, labels } = promqlNames(expr);
      for (const m of metrics.filter((m) => !names.has(m))) problems.push(`${source}: no metric ${m}`);
      const exposed = new Set<string>();
      for (const m of metrics) for (const l of await labelsOf(m)) exposed.add(l);
      for (const l of labels.filter((l) => !exposed.has(l))) problems.push(`${source}: no label ${l} on ${metrics.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('lists the four services in the Service variable and their processes in the Instance variable', async () => {
    const jobs = await prometheus.api<string[]>('label/job/values', { 'match[]': 'model_current_version' });
    expect(jobs.data.sort()).toEqual([...APPS].sort());
    const instances = await prometheus.api<string[]>('label/instance/values', { 'match[]': 'model_current_version' });
    expect(instances.data).toHaveLength(APPS.length);
  });

  it('loads the alerting rules and evaluates each without error: the dead letter fires its alert, the promotion is no rollback', async () => {
    const rules = await eventually(async () => {
      const answer = await prometheus.api<{ groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; state: string }> }> }>('rules');
      const all = answer.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : undefined;
    });
    expect(rules.map((r) => ({ name: r.name, health: r.health, error: r.lastError ?? '' })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      alertQueries()
        .map((q) => ({ name: q.source.replace('alert ', ''), health: 'ok', error: '' }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    // Latency and drift are left out: a busy machine or a small window may rightly trip them.
    const state = Object.fromEntries(rules.map((r) => [r.name, r.state]));
    expect(state).toMatchObject({
      IrisEventsDeadLettered: 'firing',
      IrisModelRolledBack: 'inactive',
      IrisHttpErrorRatioHigh: 'inactive',
      IrisConsumerLagGrowing: 'inactive',
    });
  });
});
