import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isDeepStrictEqual, promisify } from 'node:util';
import { join } from 'node:path';
import { TOPICS, decodeEvent, type ModelRegistered, type ModelRouting, type TrainingRun } from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { compileScorer } from '@app/model';
import { runStatusSupersedes } from '@app/registry';
import { eventually, getJson, metricValue, postJson } from './support/http';
import { ROOT } from './support/infra';
import { kafkaTestBus } from './support/kafka-bus';
import { MLFLOW_VENV, MlflowServer } from './support/mlflow-server';
import { testPort } from './support/ports';
import { ServiceProcess } from './support/service-process';
import { RUN_RUNTIME_FIELDS, promotableRetrain, servingState } from './support/training-expectation';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

const tag = randomUUID().slice(0, 8);
const EXPERIMENT = 'iris-platform';
const MLFLOW_STATUS: Record<TrainingRun['status'], string> = {
  accepted: 'SCHEDULED',
  running: 'RUNNING',
  promoted: 'FINISHED',
  rejected: 'FINISHED',
  failed: 'FAILED',
};
/** Long enough that a retrain which waited on a hung MLflow would show it. */
const REQUEST_TIMEOUT_MS = 60_000;

const exec = promisify(execFile);
const kv = (list: Array<{ key: string; value: any }> | undefined) => Object.fromEntries((list ?? []).map((e) => [e.key, e.value]));

describe('MLflow mirror: the trainer on real Kafka, a real mlflow server and its Python client', () => {
  const bus = kafkaTestBus(`e2e-mlflow-${tag}`);
  const secrets = mkdtempSync(join(tmpdir(), 'mlflow-e2e-secrets-'));
  const trainerUser = { username: 'iris-trainer', password: `trainer-${tag}` };
  let mlflow: MlflowServer;
  let trainer: ServiceProcess;
  let gateway: ServiceProcess;

  /** The trainer as deployed with MLflow on: the password from a file, short retries for the test. */
  const startTrainer = async (password = trainerUser.password) => {
    const file = join(secrets, `password-${randomUUID()}`);
    writeFileSync(file, `${password}\n`);
    trainer = ServiceProcess.start(`trainer-mlflow-${tag}`, 'trainer', testPort(110), {
      MLFLOW_TRACKING_URI: mlflow.url,
      MLFLOW_TRACKING_USERNAME: trainerUser.username,
      MLFLOW_TRACKING_PASSWORD_FILE: file,
      MLFLOW_RETRY_MAX_MS: '1000',
      MLFLOW_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
    await trainer.waitReady(90_000);
  };
  const mirrorDetail = async () => {
    const ready = await getJson(`${trainer.url}/ready`);
    expect(ready.status).toBe(200);
    return ready.body.details.mlflow as Json;
  };

  const experimentId = async () =>
    (await mlflow.api<Json>('GET', 'experiments/get-by-name', { experiment_name: EXPERIMENT })).experiment.experiment_id as string;
  const searchRuns = async (filter: string) => {
    const runs: Json[] = [];
    let token: string | undefined;
    const ids = [await experimentId()];
    do {
      const page = await mlflow.api<Json>('POST', 'runs/search', { experiment_ids: ids, filter, max_results: 1000, page_token: token });
      runs.push(...(page.runs ?? []));
      token = page.next_page_token || undefined;
    } while (token);
    return runs;
  };
  const runsOfJob = (jobId: string) => searchRuns(`tags.job_id = '${jobId}'`);
  const modelVersions = async (name = 'iris') => {
    const versions: Json[] = [];
    let token: string | undefined;
    do {
      const page = await mlflow.api<Json>('GET', 'model-versions/search', {
        filter: `name='${name}'`,
        max_results: 1000,
        ...(token ? { page_token: token } : {}),
      });
      versions.push(...(page.model_versions ?? []));
      token = page.next_page_token || undefined;
    } while (token);
    return versions;
  };
  /** The MLflow version number that mirrors our registry version. */
  const mlflowVersionOf = async (registryVersion: number) => (await modelVersions()).filter((v) => kv(v.tags).registry_version === String(registryVersion));
  const aliases = async (name = 'iris') => {
    const model = (await mlflow.api<Json>('GET', 'registered-models/get', { name })).registered_model;
    const byVersion = new Map((await modelVersions(name)).map((v) => [v.version as string, Number(kv(v.tags).registry_version)]));
    return Object.fromEntries((model.aliases ?? []).map((a: Json) => [a.alias, byVersion.get(a.version)]));
  };
  /** What the state topics say now: the newest record per job, per version, and the routing. */
  const topics = async () => {
    const runs = new Map<string, TrainingRun>();
    for (const m of await bus.readToEnd(TOPICS.trainingRun)) {
      const d = decodeEvent(TOPICS.trainingRun, m.value);
      if (d.ok && runStatusSupersedes(runs.get(d.event.payload.run_id)?.status, d.event.payload.status)) runs.set(d.event.payload.run_id, d.event.payload);
    }
    const versions = new Map<number, ModelRegistered>();
    for (const m of await bus.readToEnd(TOPICS.modelRegistered)) {
      const d = decodeEvent(TOPICS.modelRegistered, m.value);
      if (d.ok) versions.set(d.event.payload.version, d.event.payload);
    }
    const namedVersions = new Set<string>();
    for (const m of await bus.readToEnd(TOPICS.namedModelRegistered)) {
      const d = decodeEvent(TOPICS.namedModelRegistered, m.value);
      if (d.ok) namedVersions.add(`${d.event.payload.model_name}/${d.event.payload.version}`);
    }
    let routing: ModelRouting | null = null;
    for (const m of await bus.readToEnd(TOPICS.modelRouting)) {
      const d = decodeEvent(TOPICS.modelRouting, m.value);
      if (d.ok) routing = d.event.payload;
    }
    return { runs, versions, namedVersions, routing };
  };
  const finishedJob = (jobId: string, timeoutMs = 60_000) =>
    eventually(
      async () => {
        const r = await getJson(`${gateway.url}/retrain/${jobId}`);
        return ['promoted', 'rejected', 'failed'].includes(r.body.status) ? (r.body as Json) : undefined;
      },
      timeoutMs,
      `job ${jobId}`,
    );
  /** A retrain the gate promotes whatever serves; resolves with the finished job and how long it took. */
  const promotedRetrain = async (seed: number) => {
    const { request } = promotableRetrain(await servingState(gateway.url), 0.3, seed);
    const started = Date.now();
    const accepted = await postJson(`${gateway.url}/retrain`, request);
    expect(accepted.status).toBe(202);
    const job = await finishedJob(accepted.body.job_id);
    expect(job.status).toBe('promoted');
    return { job, ms: Date.now() - started };
  };
  /** Exactly one MLflow run for the job, once it is written as finished. */
  const mirroredRunOf = (jobId: string, timeoutMs = 120_000) =>
    eventually(
      async () => {
        const runs = await runsOfJob(jobId);
        if (runs.length > 1) throw new Error(`job ${jobId} has ${runs.length} MLflow runs`);
        return runs[0]?.info.status === 'FINISHED' ? runs[0] : undefined;
      },
      timeoutMs,
      `the MLflow run of job ${jobId}`,
    );
  // Asynchronous: a blocked event loop would miss the services closing idle connections, and reuse them.
  const pythonClient = async (jobId: string) => {
    const { stdout } = await exec(join(MLFLOW_VENV, 'bin', 'python'), [join(ROOT, 'test', 'reference', 'mlflow_client.py'), EXPERIMENT, jobId, 'iris'], {
      env: {
        ...process.env,
        MLFLOW_TRACKING_URI: mlflow.url,
        MLFLOW_TRACKING_USERNAME: mlflow.admin.username,
        MLFLOW_TRACKING_PASSWORD: mlflow.admin.password,
      },
      timeout: 120_000,
    });
    return JSON.parse(stdout) as Json;
  };

  beforeAll(async () => {
    mlflow = await MlflowServer.create();
    await Promise.all([bus.connect(), mlflow.start()]);
    // The trainer signs in as a user of its own, an admin of MLflow's auth app.
    await mlflow.api('POST', 'users/create', trainerUser);
    await mlflow.api('PATCH', 'users/update-admin', { username: trainerUser.username, is_admin: true });
    await startTrainer();
    gateway = ServiceProcess.start(`gateway-mlflow-${tag}`, 'gateway', testPort(111));
    await gateway.waitReady(90_000);
  }, 400_000);

  afterAll(async () => {
    await Promise.all([trainer?.stop(), gateway?.stop()]);
    await mlflow?.destroy();
    await bus.close();
    rmSync(secrets, { recursive: true, force: true });
  });

  it('copies the runs, versions and routing already on the topics into an empty MLflow at start, each once', async () => {
    const state = await topics();
    expect(state.runs.size).toBeGreaterThan(0);
    await eventually(
      async () => {
        const runs = await searchRuns('');
        const versions = await modelVersions();
        return runs.length >= state.runs.size && versions.length >= state.versions.size && (await mirrorDetail()).pending === 0 ? true : undefined;
      },
      240_000,
      `MLflow to hold the ${state.runs.size} runs and ${state.versions.size} versions on the topics`,
    );
    const runs = await searchRuns('');
    const byPlatformRun = new Map<string, Json[]>();
    for (const r of runs) byPlatformRun.set(kv(r.data.tags).platform_run_id, [...(byPlatformRun.get(kv(r.data.tags).platform_run_id) ?? []), r]);
    expect(runs).toHaveLength(state.runs.size);
    for (const [runId, run] of state.runs) {
      const mirrored = byPlatformRun.get(runId) ?? [];
      expect({ job: run.job_id, runs: mirrored.length, status: mirrored[0]?.info.status }).toEqual({
        job: run.job_id,
        runs: 1,
        status: MLFLOW_STATUS[run.status],
      });
    }
    const versions = await modelVersions();
    expect(versions).toHaveLength(state.versions.size);
    for (const [version, record] of state.versions) {
      const mirrored = versions.filter((v) => kv(v.tags).registry_version === String(version));
      expect({ version, count: mirrored.length, status: kv(mirrored[0]?.tags).status }).toEqual({ version, count: 1, status: record.status });
    }
    const routing = state.routing!;
    expect(await aliases()).toEqual({
      champion: routing.current_version,
      ...(routing.canary || routing.shadow_version ? { challenger: routing.canary?.version ?? routing.shadow_version } : {}),
    });
    console.log(`backfilled ${runs.length} runs and ${versions.length} model versions from the topics`);
  }, 300_000);

  it('logs a retrain as exactly one run with its params, metrics, tags and model artifact, readable with the Python client', async () => {
    const serving = await servingState(gateway.url);
    const { request, expected } = promotableRetrain(serving, 0.3, 7);
    const accepted = await postJson(`${gateway.url}/retrain`, request);
    const job = await finishedJob(accepted.body.job_id);
    expect(job).toEqual({ ...expected, ...RUN_RUNTIME_FIELDS, job_id: accepted.body.job_id, status: 'promoted' });
    const run = await mirroredRunOf(job.job_id);

    expect(run.info).toMatchObject({ run_name: job.job_id, status: 'FINISHED', start_time: Date.parse(job.started_at), end_time: Date.parse(job.finished_at) });
    expect(kv(run.data.params)).toEqual({
      algorithm: 'gaussian_nb',
      test_size: '0.3',
      random_state: String(request.random_state),
      var_smoothing: '1e-9',
      dataset: 'iris',
      reason: 'manual',
    });
    const m = job.metrics;
    expect(kv(run.data.metrics)).toEqual({
      holdout_accuracy: m.accuracy,
      holdout_macro_f1: m.macro_f1,
      holdout_size: 45,
      ...Object.fromEntries(
        Object.entries(m.per_class as Json).flatMap(([cls, c]) => [
          [`holdout_precision_${cls}`, c.precision],
          [`holdout_recall_${cls}`, c.recall],
          [`holdout_f1_${cls}`, c.f1],
        ]),
      ),
      holdout_current_model_accuracy: job.current_model_accuracy_on_holdout,
      reference_accuracy: job.reference.candidate_accuracy,
      reference_current_model_accuracy: job.reference.current_accuracy,
      duration_ms: job.duration_ms,
    });
    const tags = kv(run.data.tags);
    expect(tags).toMatchObject({
      platform_run_id: job.run_id,
      job_id: job.job_id,
      code_version: job.code_version,
      dataset_sha256: job.dataset.sha256,
      dataset_rows: '150',
      reference_dataset: 'iris',
      reference_rows: '150',
      gate_outcome: 'promoted',
      gate_reason: job.outcome_reason,
      registry_version: String(job.model_version),
      model_checksum: job.artifact_checksum,
      'mlflow.runName': job.job_id,
      'mlflow.user': 'iris-platform',
    });

    // The artifact: the registry's own JSON, through MLflow's artifact API. The files come with the
    // version's record (a topic of its own), which may be mirrored a moment after the run's.
    const listing = await eventually(async () => {
      const l = await mlflow.api<Json>('GET', 'artifacts/list', { run_id: run.info.run_id, path: 'model' });
      return (l.files ?? []).length >= 2 ? l : undefined;
    }, 30_000);
    expect(listing.files.map((f: Json) => f.path)).toEqual(['model/README.md', 'model/model.json']);
    const registered = (await topics()).versions.get(job.model_version)!;
    const root = (run.info.artifact_uri as string).replace(/^mlflow-artifacts:/, '');
    const download = await fetch(`${mlflow.url}/api/2.0/mlflow-artifacts/artifacts${root}/model/model.json`, {
      headers: { authorization: `Basic ${Buffer.from(`${mlflow.admin.username}:${mlflow.admin.password}`).toString('base64')}` },
    });
    expect(JSON.parse(await download.text())).toEqual(JSON.parse(JSON.stringify(registered.model)));

    // The registered model version, linked to the run, and the champion alias on it.
    const [version] = await eventually(async () => {
      const found = await mlflowVersionOf(job.model_version);
      return found.length === 1 && kv(found[0].tags).status === 'current' ? found : undefined;
    });
    expect(version).toMatchObject({ run_id: run.info.run_id, source: `runs:/${run.info.run_id}/model` });
    await eventually(async () => ((await aliases()).champion === job.model_version ? true : undefined), 60_000, 'champion on the new version');

    const client = await pythonClient(job.job_id);
    expect(client.runs).toHaveLength(1);
    expect(client.runs[0]).toMatchObject({
      run_id: run.info.run_id,
      run_name: job.job_id,
      status: 'FINISHED',
      params: kv(run.data.params),
      metrics: kv(run.data.metrics),
    });
    expect(client.runs[0].artifacts).toEqual(['model/README.md', 'model/model.json']);
    expect(client.champion).toMatchObject({
      version: version.version,
      run_id: run.info.run_id,
      tags: { registry_version: String(job.model_version), status: 'current' },
    });
    expect(client.champion_checksum).toBe(job.artifact_checksum);
    // scikit-learn, loaded as the artifact's README says, scores as our scorer does.
    const ours = compileScorer(registered.model.params)([5.1, 3.5, 1.4, 0.2]).probabilities;
    (client.probabilities as number[]).forEach((p, i) => expect(Math.abs(p - ours[i])).toBeLessThanOrEqual(1e-9 * Math.max(p, ours[i]) + 1e-300));
  }, 300_000);

  it('moves the aliases as a canary and a shadow start and stop, and as a rollback and a promotion move the current version', async () => {
    const current = (await servingState(gateway.url)).version;
    const models = (await getJson(`${gateway.url}/models`)).body.models as Json[];
    const other = models.filter((x) => x.status === 'archived').at(-1)!.version as number;
    const aliasesBecome = (expected: Json, what: string) =>
      eventually(async () => (isDeepStrictEqual(await aliases(), expected) ? true : undefined), 60_000, what);
    const statusOf = async (v: number) => kv((await mlflowVersionOf(v))[0].tags).status;

    expect((await postJson(`${gateway.url}/models/${other}/canary`, { percent: 10 })).status).toBe(200);
    await aliasesBecome({ champion: current, challenger: other }, 'the canary as challenger');
    expect((await fetch(`${gateway.url}/models/${other}/canary`, { method: 'DELETE' })).status).toBe(200);
    await aliasesBecome({ champion: current }, 'no challenger once the canary ends');
    expect((await postJson(`${gateway.url}/models/${other}/shadow`, {})).status).toBe(200);
    await aliasesBecome({ champion: current, challenger: other }, 'the shadow as challenger');

    expect((await postJson(`${gateway.url}/models/${other}/promote`, { reason: 'rollback drill' })).status).toBe(200);
    await aliasesBecome({ champion: other }, 'the champion on the rolled-back version, whose shadow ended');
    await eventually(
      async () => ((await statusOf(other)) === 'current' && (await statusOf(current)) === 'archived' ? true : undefined),
      60_000,
      'version statuses',
    );
    expect(kv((await mlflowVersionOf(other))[0].tags).status_reason).toBe('rollback drill');

    expect((await postJson(`${gateway.url}/models/${current}/promote`, {})).status).toBe(200);
    await aliasesBecome({ champion: current }, 'the champion back on the newer version');
  });

  it('mirrors a named model under its own name: its versions, champion and challenger, and its runs tagged with it', async () => {
    // Its own name per run: the services here share the broker's unprefixed topics with earlier runs.
    const name = `wine-${tag}`;
    const irisAliases = await aliases();
    const retrainWine = async (extra: Json) => {
      const accepted = await postJson(`${gateway.url}/models/${name}/retrain`, {
        dataset: { source: 'csv', path: 'wine-train.csv', label: 'class' },
        holdout: { source: 'csv', path: 'wine-test.csv', label: 'class' },
        ...extra,
      });
      expect(accepted.status).toBe(202);
      const job = await finishedJob(accepted.body.job_id);
      expect({ model_name: job.model_name, status: job.status, reason: job.outcome_reason }).toEqual({
        model_name: name,
        status: 'promoted',
        reason: expect.stringMatching(/meets the minimum/),
      });
      return job;
    };
    const first = await retrainWine({});
    const second = await retrainWine({ params: { var_smoothing: 1e-6 } });
    expect([first.model_version, second.model_version]).toEqual([1, 2]);
    expect((await postJson(`${gateway.url}/models/${name}/versions/1/canary`, { percent: 10 })).status).toBe(200);
    await eventually(
      async () => (isDeepStrictEqual(await aliases(name).catch(() => null), { champion: 2, challenger: 1 }) ? true : undefined),
      60_000,
      'the wine aliases',
    );
    const versions = (await modelVersions(name)).map((v) => [Number(kv(v.tags).registry_version), kv(v.tags).status, v.description as string]);
    expect(versions.sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual([
      [1, 'archived', expect.stringMatching(new RegExp(`^Version 1 of model ${name} in the platform's registry`))],
      [2, 'current', expect.stringMatching(new RegExp(`^Version 2 of model ${name} in the platform's registry`))],
    ]);
    expect(kv((await mirroredRunOf(second.job_id)).data.tags).model).toBe(name);
    // The default model's registered model is untouched.
    expect(await aliases()).toEqual(irisAliases);
  });

  it('neither delays retrains nor fails the trainer while MLflow hangs or is down, across a trainer restart, and writes both runs once when it is back', async () => {
    mlflow.freeze();
    let first: Awaited<ReturnType<typeof promotedRetrain>>;
    try {
      first = await promotedRetrain(11);
      // Its writes wait on a server that accepts connections and never answers (timeout 60 s).
      expect(first.ms).toBeLessThan(REQUEST_TIMEOUT_MS / 2);
      // Waiting, not failing: the call has not timed out, and the records queue behind it.
      await eventually(async () => {
        const d = await mirrorDetail();
        return d.state === 'syncing' && d.pending > 0 ? true : undefined;
      });
      const stopping = Date.now();
      await trainer.stop();
      // The call in flight is abandoned: the hung server does not hold the shutdown.
      expect(Date.now() - stopping).toBeLessThan(8_000);
    } finally {
      mlflow.thaw();
    }
    await mlflow.stop();
    await startTrainer();
    const second = await promotedRetrain(23);
    expect(second.ms).toBeLessThan(30_000);
    const detail = await eventually(async () => {
      const d = await mirrorDetail();
      return d.state === 'retrying' ? d : undefined;
    });
    expect(detail).toMatchObject({ tracking_uri: mlflow.url, experiment: EXPERIMENT, last_error: expect.stringContaining('ECONNREFUSED') });
    expect(await metricValue(trainer.url, 'mlflow_mirror_pending')).toBeGreaterThan(0);
    expect(readFileSync(join(ROOT, '.infra', 'test', `trainer-mlflow-${tag}.log`), 'utf8').includes('MLflow mirror: write failed; retrying')).toBe(true);

    await mlflow.start();
    const [a, b] = [await mirroredRunOf(first.job.job_id), await mirroredRunOf(second.job.job_id)];
    expect([kv(a.data.tags).registry_version, kv(b.data.tags).registry_version]).toEqual([String(first.job.model_version), String(second.job.model_version)]);
    await eventually(async () => ((await aliases()).champion === second.job.model_version ? true : undefined), 60_000, 'champion on the second retrain');
    for (const job of [first.job, second.job]) expect(await mlflowVersionOf(job.model_version)).toHaveLength(1);
    expect(await runsOfJob(first.job.job_id)).toHaveLength(1);
  }, 600_000);

  it('makes no duplicate when the runs topic is replayed, by the trainer or by npm run mlflow:sync', async () => {
    const state = await topics();
    const before = await searchRuns('');
    // The newest record of every run published again, as a replay or a producer retry would.
    const publisher = new EventPublisher(bus, `e2e-mlflow-${tag}`);
    for (const run of state.runs.values()) await publisher.publish(TOPICS.trainingRun, run, { key: run.job_id, requestId: `replay-${tag}` });
    // Exits 0 or rejects with its exit code and output.
    const sync = await exec(process.execPath, [join(ROOT, 'dist', 'scripts', 'mlflow-sync.js')], {
      env: {
        ...process.env,
        MLFLOW_TRACKING_URI: mlflow.url,
        MLFLOW_TRACKING_USERNAME: mlflow.admin.username,
        MLFLOW_TRACKING_PASSWORD: mlflow.admin.password,
        MLFLOW_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      },
      timeout: 180_000,
    });
    expect(sync.stderr).toBe('');
    expect(sync.stdout).toContain(`  runs: 0 created, 0 updated, ${state.runs.size} already there\n`);
    // The default model's versions and the named models' (the wine of the test above).
    expect(sync.stdout).toContain(`  model versions: 0 created, 0 updated, ${state.versions.size + state.namedVersions.size} already there\n`);
    await eventually(async () => ((await mirrorDetail()).pending === 0 ? true : undefined));
    const after = await searchRuns('');
    expect(after.map((r) => r.info.run_id).sort()).toEqual(before.map((r) => r.info.run_id).sort());
    expect(new Set(after.map((r) => kv(r.data.tags).platform_run_id)).size).toBe(after.length);
    expect(await modelVersions()).toHaveLength(state.versions.size);
  });

  it('reports credentials MLflow refuses without failing the trainer, and writes once they are accepted', async () => {
    const wrong = `wrong-${tag}`;
    await trainer.stop();
    await startTrainer(wrong);
    const { job } = await promotedRetrain(31);
    const detail = await eventually(async () => {
      const d = await mirrorDetail();
      return d.state === 'retrying' ? d : undefined;
    });
    expect(detail.last_error).toMatch(
      /answered 401: You are not authenticated\..* \(MLflow refused the credentials: check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME \/ MLFLOW_TRACKING_PASSWORD\)$/,
    );
    expect(await runsOfJob(job.job_id)).toEqual([]);
    // An operator fixes the account on MLflow's side: the retries get through, no restart needed.
    await mlflow.api('PATCH', 'users/update-password', { username: trainerUser.username, password: wrong });
    await mirroredRunOf(job.job_id);
    await eventually(async () => ((await mirrorDetail()).state === 'in_sync' ? true : undefined));
    expect(readFileSync(join(ROOT, '.infra', 'test', `trainer-mlflow-${tag}.log`), 'utf8')).not.toContain(wrong);
  });
});
