import type { ModelRegistered, ModelRouting, NamedLiveEvaluation, TrainingRun } from '@app/contracts';
import { JsonLogger } from '@app/observability';
import { MlflowError } from './mlflow-error';
import { MlflowMirror, type MirrorWriter } from './mlflow-mirror';
import type { WriteOutcome } from './mlflow-writer';
import type { MirroredRun } from './run-mapping';
import type { Aliases, MirroredVersion } from './version-mapping';

const run = (job: string, status: TrainingRun['status']): TrainingRun =>
  ({
    job_id: job,
    run_id: `run-${job}`,
    status,
    params: { test_size: 0.2, random_state: 42, var_smoothing: 1e-9, dataset: 'iris', reason: 'manual' },
    dataset: null,
    metrics: null,
    current_model_accuracy_on_holdout: null,
    model_version: null,
    artifact_checksum: null,
    code_version: 'dev',
    started_at: '2026-01-01T00:00:00.000Z',
    finished_at: status === 'running' ? null : '2026-01-01T00:00:01.000Z',
    duration_ms: null,
    outcome_reason: null,
  }) as TrainingRun;

const version = (v: number, status: ModelRegistered['status'] = 'archived'): ModelRegistered =>
  ({
    version: v,
    status,
    status_reason: 'r',
    parent_version: null,
    job_id: `job-${v}`,
    registered_at: '2026-01-01T00:00:00.000Z',
    model: {
      version: v,
      run_id: `run-job-${v}`,
      trained_at: '2026-01-01T00:00:00.000Z',
      checksum: 'c',
      params: { algorithm: 'gaussian_nb', featureNames: [], classNames: [] },
      metrics: { accuracy: 1 },
      baselines: [],
    },
  }) as unknown as ModelRegistered;

const routing = (current: number, canary: number | null = null): ModelRouting => ({
  current_version: current,
  previous_version: null,
  current_since: null,
  shadow_version: null,
  canary: canary === null ? null : { version: canary, percent: 10 },
  updated_at: new Date(Date.now() + current).toISOString(),
});

/** MLflow as the mirror sees it: what was written, in order, and failures to inject. */
class FakeWriter implements MirrorWriter {
  readonly writes: string[] = [];
  readonly runDigests = new Map<string, string>();
  readonly versionDigests = new Map<string, string>();
  readonly versions = new Map<string, MirroredVersion>();
  /** Thrown, one per call, before anything else happens. */
  readonly failures: Error[] = [];
  onWrite: () => void = () => undefined;

  closed = false;

  async loadIndex(): Promise<void> {
    this.fail();
  }
  close(): void {
    this.closed = true;
  }
  runDigest(id: string): string | null {
    return this.runDigests.get(id) ?? null;
  }
  versionDigest(model: string, v: number): string | null {
    return this.versionDigests.get(`${model}:${v}`) ?? null;
  }
  async writeRun(r: MirroredRun): Promise<WriteOutcome> {
    this.fail();
    this.onWrite();
    this.writes.push(`run ${r.jobId} ${r.status}`);
    this.runDigests.set(r.platformRunId, r.digest);
    return 'created';
  }
  async writeVersion(v: MirroredVersion): Promise<WriteOutcome> {
    this.fail();
    this.writes.push(`version ${v.modelName === 'iris' ? '' : `${v.modelName} `}${v.registryVersion} ${v.tags.find((t) => t.key === 'status')?.value}`);
    this.versionDigests.set(`${v.modelName}:${v.registryVersion}`, v.digest);
    this.versions.set(`${v.modelName}:${v.registryVersion}`, v);
    return 'created';
  }
  async writeAliases(model: string, a: Aliases): Promise<void> {
    this.fail();
    for (const v of Object.values(a)) {
      if (v !== null && !this.versionDigests.has(`${model}:${v}`)) throw new MlflowError(`registry version ${v} is not in MLflow yet`, true);
    }
    this.writes.push(`aliases ${model} champion=${a.champion} challenger=${a.challenger}`);
  }
  private fail(): void {
    const err = this.failures.shift();
    if (err) throw err;
  }
}

const logger = new JsonLogger('test', 'error', () => undefined);
const down = () => new MlflowError('MLflow GET /api/2.0/mlflow/runs/search failed: ECONNREFUSED', true);

describe('MlflowMirror', () => {
  it('writes records in the order they became due, a version after the run that made it, and aliases last', async () => {
    const writer = new FakeWriter();
    const mirror = new MlflowMirror(writer, logger, { baseMs: 1, maxMs: 4 });
    mirror.observeRun(run('a', 'running'));
    mirror.observeVersion(version(1));
    mirror.observeRun(run('a', 'promoted'));
    mirror.observeVersion(version(1, 'current'));
    mirror.observeRouting(routing(1));
    const report = await mirror.drain(3);
    // One write per record, with its newest state: the run was due first and written once, as promoted.
    expect(writer.writes).toEqual(['run a FINISHED', 'version 1 current', 'aliases iris champion=1 challenger=null']);
    expect(report.runs).toEqual({ created: 1, updated: 0, unchanged: 0, dropped: 0 });
    expect(mirror.status()).toEqual({ state: 'in_sync', pending: 0, last_error: null, last_error_at: null });
  });

  it('waits out an unreachable MLflow with backoff and keeps the order', async () => {
    const writer = new FakeWriter();
    writer.failures.push(down(), down(), down());
    const mirror = new MlflowMirror(writer, logger, { baseMs: 1, maxMs: 4 });
    mirror.observeRun(run('a', 'promoted'));
    mirror.observeRun(run('b', 'promoted'));
    mirror.start();
    await until(() => writer.writes.length === 2);
    await mirror.stop();
    expect(writer.writes).toEqual(['run a FINISHED', 'run b FINISHED']);
    expect(mirror.status()).toMatchObject({ state: 'in_sync', pending: 0, last_error: 'MLflow GET /api/2.0/mlflow/runs/search failed: ECONNREFUSED' });
  });

  it('shows a failing MLflow in its status while records wait', async () => {
    const writer = new FakeWriter();
    writer.failures.push(...Array.from({ length: 50 }, down));
    const mirror = new MlflowMirror(writer, logger, { baseMs: 1, maxMs: 2 });
    mirror.observeRun(run('a', 'promoted'));
    mirror.start();
    await until(() => mirror.status().state === 'retrying');
    expect(mirror.status()).toMatchObject({ state: 'retrying', pending: 1, last_error: 'MLflow GET /api/2.0/mlflow/runs/search failed: ECONNREFUSED' });
    await mirror.stop();
  });

  it('drops a record MLflow refuses as invalid, says so, and goes on with the next', async () => {
    const writer = new FakeWriter();
    const mirror = new MlflowMirror(writer, logger, { baseMs: 1, maxMs: 4 });
    await mirror.drain(1);
    writer.failures.push(
      new MlflowError('MLflow POST /api/2.0/mlflow/runs/log-batch answered 400 INVALID_PARAMETER_VALUE: Changing param values is not allowed', false, 400),
    );
    mirror.observeRun(run('a', 'promoted'));
    mirror.observeRun(run('b', 'promoted'));
    const report = await mirror.drain(3);
    expect(writer.writes).toEqual(['run b FINISHED']);
    expect(report.runs).toMatchObject({ created: 1, dropped: 1 });
  });

  it('writes a record again when it changed while being written', async () => {
    const writer = new FakeWriter();
    const mirror = new MlflowMirror(writer, logger, { baseMs: 1, maxMs: 4 });
    await mirror.drain(1);
    writer.onWrite = () => {
      writer.onWrite = () => undefined;
      mirror.observeRun(run('a', 'promoted'));
    };
    mirror.observeRun(run('a', 'running'));
    await mirror.drain(1);
    expect(writer.writes).toEqual(['run a RUNNING', 'run a FINISHED']);
  });

  it('never moves a finished run back to running on a replayed older record', async () => {
    const writer = new FakeWriter();
    const mirror = new MlflowMirror(writer, logger, { baseMs: 1, maxMs: 4 });
    mirror.observeRun(run('a', 'promoted'));
    await mirror.drain(1);
    mirror.observeRun(run('a', 'running'));
    await mirror.drain(1);
    expect(writer.writes).toEqual(['run a FINISHED']);
  });

  it('at start, writes only what MLflow does not already hold as the topics say', async () => {
    const first = new FakeWriter();
    const records = [run('a', 'promoted'), run('b', 'rejected')];
    const before = new MlflowMirror(first, logger, { baseMs: 1, maxMs: 4 });
    records.forEach((r) => before.observeRun(r));
    before.observeVersion(version(1));
    await before.drain(1);
    // A restart: the same MLflow (digests), the topics replayed, one run finished meanwhile.
    const second = new FakeWriter();
    first.runDigests.forEach((d, k) => second.runDigests.set(k, d));
    first.versionDigests.forEach((d, k) => second.versionDigests.set(k, d));
    const after = new MlflowMirror(second, logger, { baseMs: 1, maxMs: 4 });
    [...records, run('c', 'promoted')].forEach((r) => after.observeRun(r));
    after.observeVersion(version(1));
    await after.drain(1);
    expect(second.writes).toEqual(['run c FINISHED']);
  });

  it('points an alias only at a version already written, writing a due target first', async () => {
    const writer = new FakeWriter();
    const mirror = new MlflowMirror(writer, logger, { baseMs: 1, maxMs: 4 });
    await mirror.drain(1);
    mirror.observeRouting(routing(2, 3));
    mirror.observeVersion(version(2, 'current'));
    mirror.observeVersion(version(3));
    await mirror.drain(1);
    expect(writer.writes).toEqual(['version 2 current', 'version 3 archived', 'aliases iris champion=2 challenger=3']);
  });

  it('waits for the record of a version the routing names before pointing an alias at it, without failing', async () => {
    const writer = new FakeWriter();
    const mirror = new MlflowMirror(writer, logger, { baseMs: 1, maxMs: 4 });
    mirror.observeRouting(routing(2));
    await mirror.drain(1);
    expect(writer.writes).toEqual([]);
    mirror.observeVersion(version(2, 'current'));
    await mirror.drain(1);
    expect(writer.writes).toEqual(['version 2 current', 'aliases iris champion=2 challenger=null']);
    expect(mirror.status()).toEqual({ state: 'in_sync', pending: 0, last_error: null, last_error_at: null });
  });

  it("registers a named model's versions, aliases and live figures under its own name, apart from the default model's", async () => {
    const writer = new FakeWriter();
    const mirror = new MlflowMirror(writer, logger, { baseMs: 1, maxMs: 4 });
    await mirror.drain(1);
    const wine = <T extends object>(r: T): T & { model_name: string } => ({ ...r, model_name: 'wine' });
    mirror.observeVersion(version(1, 'current'));
    mirror.observeVersion(wine(version(1, 'current')));
    mirror.observeVersion(wine(version(2)));
    mirror.observeRouting(wine(routing(1, 2)));
    const live: NamedLiveEvaluation = {
      model_name: 'wine',
      version: 1,
      labeled: 4,
      correct: 3,
      accuracy: 0.75,
      accuracy_ci95: [0.3, 0.95],
      per_class_recall: {},
      confusion_matrix: [],
      comparisons: [],
      updated_at: '2026-12-03T00:00:00.000Z',
    };
    mirror.observeLive(live);
    await mirror.drain(1);
    expect(writer.writes).toEqual(['version 1 current', 'version wine 1 current', 'version wine 2 archived', 'aliases wine champion=1 challenger=2']);
    const mirrored = writer.versions.get('wine:1')!;
    expect(mirrored.tags).toContainEqual({ key: 'live_accuracy', value: '0.75' });
    expect(mirrored.description).toMatch(/^Version 1 of model wine in the platform's registry/);
    expect(writer.versions.get('iris:1')!.tags.map((t) => t.key)).not.toContain('live_accuracy');
  });

  it('stops at once while waiting to retry', async () => {
    const writer = new FakeWriter();
    writer.failures.push(down());
    const mirror = new MlflowMirror(writer, logger, { baseMs: 60_000, maxMs: 60_000 });
    mirror.start();
    await until(() => mirror.status().state === 'retrying');
    const started = Date.now();
    await mirror.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(writer.closed).toBe(true);
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
