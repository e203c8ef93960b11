import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, decodeEvent, type ModelArtifact, type ModelRegistered, type RetrainRequested, type TrainingRun } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EVENT_BUS, EventPublisher, type EventBus } from '@app/messaging';
import { fingerprintDataset } from '@app/model';
import { JsonLogger } from '@app/observability';
import { ModelRegistry, TrainingRuns } from '@app/registry';
import { APP_CONFIG } from '@app/runtime';
import { modelChecksum, trainModel } from '@app/training';
import { loadDataset } from './load-dataset';

const DEFAULTS = { test_size: 0.2, random_state: 42, var_smoothing: 1e-9 } as const;
const FINAL: ReadonlySet<TrainingRun['status']> = new Set(['promoted', 'rejected', 'failed']);

@Injectable()
export class TrainerService implements OnApplicationBootstrap {
  private bootstrapped = false;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly publisher: EventPublisher,
    private readonly registry: ModelRegistry,
    private readonly runs: TrainingRuns,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get ready(): boolean {
    return this.bootstrapped;
  }

  /** Rebuild state from the compacted topics, then make sure a fresh system has a model to serve. */
  async onApplicationBootstrap(): Promise<void> {
    for (const m of await this.bus.readToEnd(TOPICS.modelRegistered)) {
      const d = decodeEvent(TOPICS.modelRegistered, m.value);
      if (d.ok) this.registry.apply(d.event.payload);
    }
    for (const m of await this.bus.readToEnd(TOPICS.trainingRun)) {
      const d = decodeEvent(TOPICS.trainingRun, m.value);
      if (d.ok) this.runs.apply(d.event.payload);
    }
    if (!this.registry.current()) {
      this.logger.event('info', 'no model registered: training version 1 on the bundled iris data');
      await this.run({ job_id: `bootstrap-${randomUUID()}`, reason: 'bootstrap', dataset: { source: 'iris' } }, 'bootstrap');
    }
    this.bootstrapped = true;
  }

  /** Returns null for a job already finished: a redelivered event must not train a second model. */
  async run(job: RetrainRequested, requestId: string): Promise<TrainingRun | null> {
    const known = this.runs.get(job.job_id);
    if (known && FINAL.has(known.status)) {
      this.logger.event('info', 'retrain job already finished; redelivery ignored', { job_id: job.job_id });
      return null;
    }
    const started = new Date();
    const params = {
      test_size: job.test_size ?? DEFAULTS.test_size,
      random_state: job.random_state ?? DEFAULTS.random_state,
      var_smoothing: job.var_smoothing ?? DEFAULTS.var_smoothing,
      dataset: job.dataset ? (job.dataset.source === 'csv' ? `csv:${job.dataset.path}` : job.dataset.source) : 'iris',
      reason: job.reason ?? 'manual',
    };
    const base: TrainingRun = {
      job_id: job.job_id,
      run_id: randomUUID(),
      status: 'running',
      params,
      dataset: null,
      metrics: null,
      current_model_accuracy_on_holdout: null,
      model_version: null,
      artifact_checksum: null,
      code_version: this.config.CODE_VERSION,
      started_at: started.toISOString(),
      finished_at: null,
      duration_ms: null,
      outcome_reason: null,
    };
    await this.recordRun(base, requestId);
    const finish = (patch: Partial<TrainingRun>): TrainingRun => {
      const finished = new Date();
      return { ...base, ...patch, finished_at: finished.toISOString(), duration_ms: finished.getTime() - started.getTime() };
    };
    let run: TrainingRun;
    try {
      const data = await loadDataset(job.dataset ?? { source: 'iris' });
      const fp = fingerprintDataset(data);
      const current = this.registry.current();
      const result = trainModel(
        data,
        { testSize: params.test_size, randomState: params.random_state, varSmoothing: params.var_smoothing },
        { minAccuracy: this.config.MIN_ACCURACY, maxRegression: this.config.MAX_REGRESSION },
        current?.model.params ?? null,
      );
      const version = this.registry.nextVersion();
      const artifact: ModelArtifact = {
        version,
        run_id: base.run_id,
        trained_at: new Date().toISOString(),
        checksum: modelChecksum(result.params),
        params: result.params,
        metrics: result.evaluation,
        baselines: result.baselines,
      };
      run = finish({
        status: result.decision.promote ? 'promoted' : 'rejected',
        dataset: { sha256: fp.sha256, rows: fp.rows, class_counts: fp.classCounts },
        metrics: result.evaluation,
        current_model_accuracy_on_holdout: result.currentAccuracyOnHoldout,
        model_version: version,
        artifact_checksum: artifact.checksum,
        outcome_reason: result.decision.reason,
      });
      await this.register(artifact, run, current ?? null, requestId);
    } catch (err) {
      const reason = (err as Error).message;
      this.logger.event('warn', 'training failed', { job_id: job.job_id, reason });
      run = finish({ status: 'failed', outcome_reason: reason });
      await this.publisher.publish(TOPICS.retrainFailed, { job_id: job.job_id, reason }, { key: job.job_id, requestId });
    }
    await this.recordRun(run, requestId);
    this.logger.event('info', 'training run finished', {
      job_id: run.job_id,
      status: run.status,
      model_version: run.model_version,
      accuracy: run.metrics?.accuracy,
      reason: run.outcome_reason,
    });
    return run;
  }

  private async register(artifact: ModelArtifact, run: TrainingRun, current: ModelRegistered | null, requestId: string): Promise<void> {
    const candidate: ModelRegistered = {
      version: artifact.version,
      // A candidate that passed the gate is held as archived only until promotion() makes it current.
      status: run.status === 'promoted' ? 'archived' : 'rejected',
      status_reason: run.outcome_reason ?? '',
      parent_version: current?.version ?? null,
      job_id: run.job_id,
      registered_at: new Date().toISOString(),
      model: artifact,
    };
    this.registry.apply(candidate);
    const records = run.status === 'promoted' ? this.registry.promotion(artifact.version, run.outcome_reason ?? 'promoted', new Date()) : [candidate];
    for (const record of records) {
      await this.publisher.publish(TOPICS.modelRegistered, record, { key: String(record.version), requestId });
      this.registry.apply(record);
    }
    if (run.status === 'promoted') {
      const reason = run.params.reason === 'bootstrap' ? 'bootstrap' : 'retrain';
      await this.publisher.publish(TOPICS.modelReady, { model: artifact, reason }, { key: 'current', requestId });
    }
  }

  private async recordRun(run: TrainingRun, requestId: string): Promise<void> {
    this.runs.apply(run);
    await this.publisher.publish(TOPICS.trainingRun, run, { key: run.job_id, requestId });
  }
}
