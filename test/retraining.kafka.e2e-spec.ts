import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLASS_NAMES, IRIS_ROWS } from '@app/model';
import { TOPICS, decodeEvent } from '@app/contracts';
import { checkAnswers, type Sent } from './support/answer-check';
import { distinctFlower } from './support/distinct-flowers';
import { eventually, getJson, metricValue, postJson } from './support/http';
import { KAFKA_BROKERS, ROOT } from './support/infra';
import { kafkaTestBus } from './support/kafka-bus';
import { testPort } from './support/ports';
import { ServiceProcess } from './support/service-process';
import { RUN_RUNTIME_FIELDS, expectedRun, promotableRetrain, servingState } from './support/training-expectation';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const run = randomUUID().slice(0, 8);
const FINAL = ['promoted', 'rejected', 'failed'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('retraining loop over real Kafka', () => {
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let workers: ServiceProcess[];
  const bus = kafkaTestBus(`e2e-retrain-${run}`);

  const finishedJob = (jobId: string) =>
    eventually(
      async () => {
        const r = await getJson(`${gateway.url}/retrain/${jobId}`);
        return FINAL.includes(r.body.status) ? r.body : undefined;
      },
      60_000,
      `job ${jobId}`,
    );
  const currentVersion = async () => (await getJson(`${gateway.url}/models/current`)).body.version as number;
  const predictVersion = async () => (await postJson(`${gateway.url}/predict`, SETOSA)).body.model_version as number;
  const workersServe = (version: number) =>
    eventually(
      async () => {
        const versions = await Promise.all(workers.map((w) => metricValue(w.url, 'model_current_version')));
        return versions.every((v) => v === version) ? true : undefined;
      },
      30_000,
      `workers on version ${version}`,
    );
  /** The gateway's registry view follows the trainer's through Kafka; wait until it shows `version` as current. */
  const gatewayShowsCurrent = (version: number) =>
    eventually(async () => ((await currentVersion()) === version ? true : undefined), 30_000, `gateway showing version ${version} as current`);

  beforeAll(async () => {
    await bus.connect();
    const trainer = ServiceProcess.start(`trainer-r-${run}`, 'trainer', testPort(22));
    services.push(trainer);
    await trainer.waitReady();
    workers = [
      ServiceProcess.start(`worker-r1-${run}`, 'inference-worker', testPort(23)),
      ServiceProcess.start(`worker-r2-${run}`, 'inference-worker', testPort(24)),
    ];
    gateway = ServiceProcess.start(`gateway-r-${run}`, 'gateway', testPort(21));
    services.push(...workers, gateway);
    await Promise.all(services.map((s) => s.waitReady()));
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await bus.close();
  });

  it('promotes a retrained version and later predictions carry it', async () => {
    const serving = await servingState(gateway.url);
    const { request, expected } = promotableRetrain(serving, 0.3, 7);
    const accepted = await postJson(`${gateway.url}/retrain`, request);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ job_id: expect.stringMatching(UUID), status: 'accepted' });
    const job = await finishedJob(accepted.body.job_id);
    expect(job).toEqual({ ...expected, ...RUN_RUNTIME_FIELDS, job_id: accepted.body.job_id, status: 'promoted' });
    expect(job.metrics.holdout_size).toBe(45);
    await workersServe(job.model_version);
    const swapLags = await Promise.all(workers.map((w) => metricValue(w.url, 'model_swap_lag_seconds')));
    console.log(`model-ready → all workers serving: max swap lag ${Math.max(...(swapLags as number[])) * 1000} ms`);
    expect(await predictVersion()).toBe(job.model_version);
    const listing = await eventually(async () => {
      const r = await getJson(`${gateway.url}/models`);
      return r.body.current_version === job.model_version ? r.body : undefined;
    });
    const previous = listing.models.find((m: { version: number }) => m.version === serving.version);
    expect(previous).toMatchObject({ status: 'archived', status_reason: `superseded by version ${job.model_version}` });
    expect(listing.models.find((m: { version: number }) => m.version === job.model_version)).toMatchObject({
      status: 'current',
      status_reason: expected.outcome_reason,
      parent_version: serving.version,
      job_id: accepted.body.job_id,
      checksum: expected.artifact_checksum,
      accuracy: 1,
    });
  });

  it('rejects a model below the gate and keeps the current one serving', async () => {
    const serving = await servingState(gateway.url);
    // Labels assigned without regard to the flower: nothing to learn, about 33% holdout accuracy.
    const rows = IRIS_ROWS.map((r, i) => ({
      sepal_length: r.features[0],
      sepal_width: r.features[1],
      petal_length: r.features[2],
      petal_width: r.features[3],
      species: CLASS_NAMES[(i * 7) % 3],
    }));
    const request = { dataset: { source: 'inline' as const, rows } };
    const expected = expectedRun(serving, request);
    expect(expected.status).toBe('rejected');
    const accepted = await postJson(`${gateway.url}/retrain`, request);
    const job = await finishedJob(accepted.body.job_id);
    expect(job).toEqual({ ...expected, ...RUN_RUNTIME_FIELDS, job_id: accepted.body.job_id });
    expect(job.outcome_reason).toMatch(/^candidate accuracy 0\.\d{4} is below the minimum 0\.8000$/);
    const rejected = await eventually(async () => {
      const r = await getJson(`${gateway.url}/models/${job.model_version}`);
      return r.status === 200 ? r.body : undefined;
    });
    expect(rejected).toMatchObject({
      version: expected.model_version,
      status: 'rejected',
      status_reason: expected.outcome_reason,
      parent_version: serving.version,
    });
    expect(await currentVersion()).toBe(serving.version);
    expect(await predictVersion()).toBe(serving.version);
    const refused = await postJson(`${gateway.url}/models/${job.model_version}/promote`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('not_applied');
    expect(refused.body.message).toMatch(/^model version \d+ was rejected by the promotion gate: /);
  });

  it('promotes an old version back and every worker swaps to it', async () => {
    // Its own archived version: a promoted retrain archives the version that served before it.
    const serving = await servingState(gateway.url);
    const { request, expected } = promotableRetrain(serving, 0.35, 3);
    const job = await finishedJob((await postJson(`${gateway.url}/retrain`, request)).body.job_id);
    expect(job).toMatchObject({ status: 'promoted', model_version: expected.model_version });
    const [old, latest] = [serving.version, job.model_version as number];
    await workersServe(latest);
    await eventually(
      async () => ((await getJson(`${gateway.url}/models/${old}`)).body.status === 'archived' ? true : undefined),
      30_000,
      `version ${old} archived`,
    );
    const res = await postJson(`${gateway.url}/models/${old}/promote`, { reason: 'rollback drill' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: old, status: 'current', status_reason: 'rollback drill' });
    await workersServe(old);
    expect(await predictVersion()).toBe(old);
    expect((await postJson(`${gateway.url}/models/${latest}/promote`, {})).status).toBe(200);
    await workersServe(latest);
    await gatewayShowsCurrent(latest);
  });

  it('serves 32 concurrent clients through a swap: both versions answer while requests are in flight, none fails, each its own input', async () => {
    const CLIENTS = 32;
    const serving = await servingState(gateway.url);
    const before = serving.version;
    const { request, expected } = promotableRetrain(serving, 0.2, 99);
    type Result = { status: number; version: number; startedAt: number; endedAt: number; sent: Sent };
    const results: Result[] = [];
    let stopped = false;
    // Closed loop: each client sends its next request the moment the previous one is answered,
    // every request with a flower of its own (client c's k-th: flower c + 32k).
    const client = async (c: number) => {
      for (let k = 0; !stopped; k++) {
        const row = distinctFlower(c + CLIENTS * k);
        const startedAt = performance.now();
        // A refused connection counts as a failed answer (status 0) instead of ending the client.
        const res = await postJson(`${gateway.url}/predict`, row).catch((err: Error) => ({
          status: 0,
          body: { error: err.message } as Record<string, unknown>,
          headers: new Headers(),
        }));
        results.push({
          status: res.status,
          version: res.body.model_version as number,
          startedAt,
          endedAt: performance.now(),
          sent: { label: `client ${c} request ${k}`, rows: [row], res },
        });
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    const answeredBy = (version: number, after = 0) => results.filter((r) => r.version === version && r.startedAt > after).length;
    try {
      await eventually(async () => (answeredBy(before) >= 200 ? true : undefined), 30_000, '200 answers from the serving version under load');
      const retrainAt = performance.now();
      const accepted = await postJson(`${gateway.url}/retrain`, request);
      const job = await finishedJob(accepted.body.job_id);
      expect(job).toEqual({ ...expected, ...RUN_RUNTIME_FIELDS, job_id: accepted.body.job_id, status: 'promoted' });
      await workersServe(job.model_version);
      const swappedAt = performance.now();
      await eventually(async () => (answeredBy(job.model_version, swappedAt) >= 200 ? true : undefined), 30_000, '200 answers from the new version under load');
      stopped = true;
      await load;

      expect(results.filter((r) => r.status !== 200).map((r) => `${r.sent.label}: ${r.status}`)).toEqual([]);
      expect([...new Set(results.map((r) => r.version))].sort((a, b) => a - b)).toEqual([before, job.model_version]);
      expect(
        await checkAnswers(
          gateway.url,
          results.map((r) => r.sent),
        ),
      ).toEqual({ checked: results.length, wrong: [], indistinguishable: [] });
      // Before the retrain was asked for only the old version answered; once every worker swapped, only the new one.
      expect(results.filter((r) => r.endedAt < retrainAt && r.version !== before)).toEqual([]);
      expect(results.filter((r) => r.startedAt > swappedAt && r.version !== job.model_version)).toEqual([]);
      // The swap happened under load: a request answered by the new version was already in flight
      // while one answered by the old version was still unanswered.
      const lastOldEnd = Math.max(...results.filter((r) => r.version === before).map((r) => r.endedAt));
      const firstNewStart = Math.min(...results.filter((r) => r.version === job.model_version).map((r) => r.startedAt));
      expect(firstNewStart).toBeLessThan(lastOldEnd);
      console.log(
        `swap under load: ${results.length} requests, ${answeredBy(before)} on v${before}, ${answeredBy(job.model_version)} on v${job.model_version}`,
      );
      expect(await predictVersion()).toBe(job.model_version);
      await gatewayShowsCurrent(job.model_version);
    } finally {
      stopped = true;
      await load;
    }
  });

  it('records a failed run and publishes retrain-failed with the reason', async () => {
    const accepted = await postJson(`${gateway.url}/retrain`, { dataset: { source: 'csv', path: 'nonexistent/iris.csv' } });
    const job = await finishedJob(accepted.body.job_id);
    expect(job).toMatchObject({
      status: 'failed',
      model_version: null,
      metrics: null,
      outcome_reason: 'no dataset file "nonexistent/iris.csv" in the data directory',
    });
    const failed = await eventually(async () => {
      for (const m of await bus.readToEnd(TOPICS.retrainFailed)) {
        const d = decodeEvent(TOPICS.retrainFailed, m.value);
        if (d.ok && d.event.payload.job_id === accepted.body.job_id) return d.event.payload;
      }
      return undefined;
    });
    expect(failed).toEqual({ job_id: accepted.body.job_id, reason: 'no dataset file "nonexistent/iris.csv" in the data directory' });
  });

  it.each([
    [{ test_size: 1.5 }, 'test_size'],
    [{ random_state: -1 }, 'random_state'],
    [{ dataset: { source: 's3', path: 'x' } }, 'dataset.source'],
    [{ reason: 'because' }, 'reason'],
    [{ epochs: 3 }, 'epochs'],
  ])('rejects invalid retrain parameters %j with 400', async (body, field) => {
    const res = await postJson(`${gateway.url}/retrain`, body);
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
  });

  it('the CLI publishes a retrain event the trainer acts on', async () => {
    const { request, expected } = promotableRetrain(await servingState(gateway.url), 0.25, 11);
    const cli = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'scripts', 'retrain.js'), '--random-state', String(request.random_state), '--test-size', '0.25', '--wait', '--timeout', '60'],
      {
        env: { ...process.env, NODE_OPTIONS: '', KAFKA_BROKERS },
        encoding: 'utf8',
      },
    );
    const jobId = /^job_id: (\S+)$/m.exec(cli.stdout)?.[1] ?? '';
    expect(jobId).toMatch(UUID);
    expect(cli.stdout).toBe(`job_id: ${jobId}\nstatus: promoted\nmodel_version: ${expected.model_version}\naccuracy: 1\nreason: ${expected.outcome_reason}\n`);
    expect(cli.status).toBe(0);
    const job = await finishedJob(jobId);
    expect(job).toEqual({ ...expected, ...RUN_RUNTIME_FIELDS, job_id: jobId, status: 'promoted' });
    await workersServe(expected.model_version);
    await gatewayShowsCurrent(expected.model_version);
  });

  it('a worker started later loads the current model from the compacted topic within seconds', async () => {
    const current = await currentVersion();
    const started = Date.now();
    const late = ServiceProcess.start(`worker-late-${run}`, 'inference-worker', testPort(25));
    services.push(late);
    await late.waitReady(30_000);
    console.log(`late worker ready on version ${await metricValue(late.url, 'model_current_version')} after ${Date.now() - started} ms`);
    expect(await metricValue(late.url, 'model_current_version')).toBe(current);
  });

  it('a worker restarted with the same instance id replays the model topic instead of resuming after it', async () => {
    const current = await currentVersion();
    const [, second] = workers;
    await second.stop();
    const restarted = ServiceProcess.start(second.name, 'inference-worker', second.port);
    services.push(restarted);
    workers[1] = restarted;
    await restarted.waitReady(30_000);
    expect(await metricValue(restarted.url, 'model_current_version')).toBe(current);
  });
});
