import type { LiveEvaluation, ModelRegistered, ModelRouting, RunStatus, TrainingRun } from '@app/contracts';
import { type JsonLogger, mlflowMirrorErrors, mlflowMirrorPending } from '@app/observability';
import { runStatusSupersedes } from '@app/registry';
import { MlflowError } from './mlflow-error';
import type { MlflowWriter, WriteOutcome } from './mlflow-writer';
import { DEFAULT_MODEL, registeredModelName } from './registered-model-name';
import { mirroredRun } from './run-mapping';
import { stableDigest } from './stable-digest';
import { mirroredVersion, routingAliases } from './version-mapping';

/** The writes the mirror makes; MlflowWriter in production. */
export type MirrorWriter = Pick<MlflowWriter, 'loadIndex' | 'runDigest' | 'versionDigest' | 'writeRun' | 'writeVersion' | 'writeAliases' | 'close'>;

export interface MirrorRetry {
  /** First wait after a failure; doubles per consecutive failure up to maxMs. */
  baseMs: number;
  maxMs: number;
}

export interface MirrorStatus {
  state: 'starting' | 'syncing' | 'in_sync' | 'retrying';
  pending: number;
  last_error: string | null;
  last_error_at: string | null;
}

type Kind = 'runs' | 'versions' | 'aliases';
const SINGULAR: Record<Kind, string> = { runs: 'run', versions: 'model version', aliases: 'aliases' };
export type MirrorReport = Record<Kind, Record<WriteOutcome | 'dropped', number>>;

/**
 * Mirrors the platform's training runs, registry versions, routing and live figures into
 * MLflow, one record at a time in the order they became due, without ever being in the way:
 * records are handed over synchronously and written by a loop of its own, which waits out an
 * unreachable or refusing MLflow with capped backoff. Nothing is kept that Kafka does not hold:
 * at start the loop reads what MLflow has of ours (digest tags) and rewrites only what differs
 * from the replayed topics, so a restart resumes where the last process stopped.
 */
export class MlflowMirror {
  /** Run records not yet written (the newest per run), and the newest status seen per run. */
  private readonly runs = new Map<string, TrainingRun>();
  private readonly runStatuses = new Map<string, RunStatus>();
  private readonly versions = new Map<string, ModelRegistered>();
  private readonly live = new Map<string, LiveEvaluation>();
  private readonly routings = new Map<string, ModelRouting>();
  /** What is due, in the order it first became due; the value changes when the record does during a write. */
  private readonly queue = new Map<string, number>();
  private readonly writtenAliases = new Map<string, string>();
  private readonly report: MirrorReport = { runs: emptyCounts(), versions: emptyCounts(), aliases: emptyCounts() };
  private indexed = false;
  private failures = 0;
  private lastError: { message: string; at: string } | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wakeIdle: (() => void) | null = null;
  private cancelSleep: (() => void) | null = null;
  private changes = 0;

  constructor(
    private readonly writer: MirrorWriter,
    private readonly logger: JsonLogger,
    private readonly retry: MirrorRetry,
  ) {}

  observeRun(run: TrainingRun): void {
    if (!runStatusSupersedes(this.runStatuses.get(run.run_id), run.status)) return;
    this.runStatuses.set(run.run_id, run.status);
    this.runs.set(run.run_id, run);
    this.due(`run:${run.run_id}`);
  }

  observeVersion(record: ModelRegistered): void {
    const model = registeredModelName(record);
    this.versions.set(`${model}:${record.version}`, record);
    this.due(`version:${model}:${record.version}`);
    // Routing can arrive before the record of the version it names (another topic): the aliases waited for it.
    const routing = this.routings.get(model);
    if (routing && Object.values(routingAliases(routing)).includes(record.version)) this.due(`aliases:${model}`);
  }

  observeLive(live: LiveEvaluation): void {
    const id = `${registeredModelName(live)}:${live.version}`;
    this.live.set(id, live);
    if (this.versions.has(id)) this.due(`version:${id}`);
  }

  observeRouting(routing: ModelRouting): void {
    const model = registeredModelName(routing);
    const known = this.routings.get(model);
    if (known && Date.parse(routing.updated_at) < Date.parse(known.updated_at)) return;
    this.routings.set(model, routing);
    this.due(`aliases:${model}`);
  }

  status(): MirrorStatus {
    const state = this.failures > 0 ? 'retrying' : !this.indexed ? 'starting' : this.queue.size > 0 ? 'syncing' : 'in_sync';
    return { state, pending: this.queue.size, last_error: this.lastError?.message ?? null, last_error_at: this.lastError?.at ?? null };
  }

  /** Follows records until stop(): the trainer's mode. */
  start(): void {
    this.loop ??= (async () => {
      while (!this.stopped) {
        if ((await this.step()) === 'idle') await new Promise<void>((resolve) => (this.wakeIdle = resolve));
      }
    })();
  }

  /** Ends the loop at once, abandoning a call in flight; what was not written is on Kafka for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeIdle?.();
    this.cancelSleep?.();
    this.writer.close();
    await this.loop;
  }

  /**
   * Writes everything due, then resolves with what it did: `npm run mlflow:sync`. Gives up
   * (rejects with the last error) after `maxFailures` failed attempts in a row.
   */
  async drain(maxFailures: number): Promise<MirrorReport> {
    let failedInARow = 0;
    for (;;) {
      const outcome = await this.step();
      if (outcome === 'idle') return structuredClone(this.report);
      failedInARow = outcome === 'failed' ? failedInARow + 1 : 0;
      if (failedInARow >= maxFailures) throw new Error(`gave up after ${maxFailures} failed attempts: ${this.lastError?.message}`);
    }
  }

  private due(key: string): void {
    this.queue.set(key, ++this.changes);
    mlflowMirrorPending.set(this.queue.size);
    this.wakeIdle?.();
  }

  private done(key: string, generation: number): void {
    // A record that changed during the write stays due: the write may have carried the older one.
    if (this.queue.get(key) === generation) this.queue.delete(key);
    if (key.startsWith('run:') && !this.queue.has(key)) this.runs.delete(key.slice(4));
    mlflowMirrorPending.set(this.queue.size);
  }

  private async step(): Promise<'idle' | 'progress' | 'failed'> {
    if (!this.indexed) return (await this.attempt(null, () => this.reconcile())) ? 'progress' : 'failed';
    const next = this.queue.keys().next();
    if (next.done) return 'idle';
    return (await this.attempt(next.value, () => this.writeDue(next.value))) ? 'progress' : 'failed';
  }

  /** Reads what MLflow holds of ours and takes off the queue whatever it already holds as the records say. */
  private async reconcile(): Promise<void> {
    const models = new Set([DEFAULT_MODEL, ...[...this.versions.values()].map(registeredModelName)]);
    await this.writer.loadIndex([...models]);
    for (const [key, generation] of [...this.queue]) {
      const [kind, id] = splitKey(key);
      const inSync =
        kind === 'run'
          ? this.writer.runDigest(id) === mirroredRun(this.runs.get(id)!).digest
          : kind === 'version' && this.writer.versionDigest(...modelAndVersion(id)) === this.versionOf(id).digest;
      if (inSync) {
        this.done(key, generation);
        this.report[reportKind(key)].unchanged++;
      }
    }
    this.indexed = true;
    this.logger.event('info', 'MLflow mirror: compared MLflow with the topics', { pending: this.queue.size });
  }

  private async writeDue(key: string): Promise<void> {
    const generation = this.queue.get(key)!;
    await this.write(key);
    this.done(key, generation);
  }

  private async write(key: string): Promise<void> {
    const [kind, id] = splitKey(key);
    if (kind === 'run') {
      const run = this.runs.get(id);
      if (run) this.count('runs', await this.writer.writeRun(mirroredRun(run)), { job_id: run.job_id, status: run.status });
      return;
    }
    if (kind === 'version') {
      const version = this.versionOf(id);
      this.count('versions', await this.writer.writeVersion(version), { model: version.modelName, registry_version: version.registryVersion });
      return;
    }
    const aliases = routingAliases(this.routings.get(id)!);
    const digest = stableDigest(aliases);
    if (this.writtenAliases.get(id) === digest) return;
    // Not an error: the version's record is on its way, and its arrival makes the aliases due again.
    if (Object.values(aliases).some((v) => v !== null && !this.versions.has(`${id}:${v}`))) return;
    // An alias can only point at a version MLflow has: write the targets first if they are still due.
    for (const target of Object.values(aliases)) {
      const versionKey = `version:${id}:${target}`;
      if (target !== null && this.queue.has(versionKey)) await this.writeDue(versionKey);
    }
    await this.writer.writeAliases(id, aliases);
    this.writtenAliases.set(id, digest);
    this.count('aliases', 'updated', { model: id, ...aliases });
  }

  private versionOf(id: string) {
    return mirroredVersion(this.versions.get(id)!, this.live.get(id));
  }

  private count(kind: Kind, outcome: WriteOutcome, fields: Record<string, unknown>): void {
    this.report[kind][outcome]++;
    if (outcome !== 'unchanged') this.logger.event(outcome === 'created' ? 'info' : 'debug', `MLflow mirror: ${SINGULAR[kind]} ${outcome}`, fields);
  }

  /**
   * Runs one write. A failure worth retrying waits (capped backoff) and leaves the record
   * first in line, so records are written in order; one MLflow refuses as invalid is dropped
   * with an error log, as no retry can change the answer (the next start tries it again).
   */
  private async attempt(key: string | null, write: () => Promise<void>): Promise<boolean> {
    try {
      await write();
      if (this.failures > 0) this.logger.event('info', 'MLflow mirror: writing again', { after_failures: this.failures });
      this.failures = 0;
      return true;
    } catch (err) {
      if (this.stopped) return false;
      const message = (err as Error).message;
      this.lastError = { message, at: new Date().toISOString() };
      const retryable = err instanceof MlflowError ? err.retryable : false;
      if (!retryable && key !== null) {
        mlflowMirrorErrors.inc({ outcome: 'dropped' });
        this.logger.event('error', 'MLflow mirror: write refused; skipped until the next start', { key, error: message });
        this.queue.delete(key);
        mlflowMirrorPending.set(this.queue.size);
        this.report[reportKind(key)].dropped++;
        return false;
      }
      mlflowMirrorErrors.inc({ outcome: 'retried' });
      const delay = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** this.failures);
      this.failures++;
      this.logger.event('warn', 'MLflow mirror: write failed; retrying', { key, attempt: this.failures, retry_in_ms: delay, error: message });
      await this.sleep(delay);
      return false;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.cancelSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

const emptyCounts = () => ({ created: 0, updated: 0, unchanged: 0, dropped: 0 });

function splitKey(key: string): [string, string] {
  const at = key.indexOf(':');
  return [key.slice(0, at), key.slice(at + 1)];
}

function modelAndVersion(id: string): [string, number] {
  const at = id.lastIndexOf(':');
  return [id.slice(0, at), Number(id.slice(at + 1))];
}

const reportKind = (key: string): Kind => (key.startsWith('run:') ? 'runs' : key.startsWith('version:') ? 'versions' : 'aliases');
