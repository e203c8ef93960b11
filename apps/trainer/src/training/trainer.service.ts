import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import {
  DEFAULT_MODEL,
  TOPICS,
  decodeEvent,
  derivedEventId,
  requestedHyperparameters,
  type LabeledRow,
  type ModelArtifact,
  type ModelRegistered,
  type FeatureSchemaRecord,
  type NamedModelRegistered,
  type RetrainRequested,
  type TrainingRun,
} from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EVENT_BUS, EventPublisher, type EventBus } from '@app/messaging';
import { DEFAULT_ALGORITHM, DatasetError, alignDataset, describeModel, estimatorFor, fingerprintDataset, parseIrisCsv, type LabeledDataset } from '@app/model';
import { JsonLogger, endSpan, recordingSpanActive, startSpan, trainingRuns } from '@app/observability';
import { ModelRegistry, NamedModels, NamedRoutings, TrainingRuns } from '@app/registry';
import { APP_CONFIG } from '@app/runtime';
import { modelChecksum, trainModel } from '@app/training';
import { NamedRegistryOwner } from '../registry/named-registry-owner.service';
import { RegistryOwner } from '../registry/registry-owner.service';
import { readDatasetFile } from './dataset-file';
import { loadDataset, loadReferenceDataset, type LoadedDataset } from './load-dataset';
import { loadNamedDataset, loadNamedReference, namedDatasetSource, namedFeedbackDataset, namedRowsDataset, type NamedDataset } from './load-named-dataset';

const DEFAULTS = { test_size: 0.2, random_state: 42 } as const;
const FINAL: ReadonlySet<TrainingRun['status']> = new Set(['promoted', 'rejected', 'failed']);
/** Reasons are stored in run records, logs and events: a glimpse, never a file. */
const MAX_REASON = 500;

/** What a job trains on and where its version goes: the default model's registry or a named model's. */
interface TrainingTarget {
  data: LabeledDataset;
  /** How the run record names the dataset. */
  datasetLabel: string;
  holdout?: LabeledDataset;
  /** The model's current version, which the candidate must beat on the same rows. */
  current: ModelRegistered | null;
  reference: LoadedDataset | null;
  version: number;
  register(artifact: ModelArtifact, run: TrainingRun): Promise<void>;
}

const bounded = (reason: string) => (reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}… (${reason.length} chars)` : reason);

@Injectable()
export class TrainerService implements OnApplicationBootstrap {
  private bootstrapped = false;
  private reference?: LoadedDataset;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly publisher: EventPublisher,
    private readonly registry: ModelRegistry,
    private readonly runs: TrainingRuns,
    private readonly logger: JsonLogger,
    private readonly owner: RegistryOwner,
    private readonly namedModels: NamedModels,
    private readonly namedOwner: NamedRegistryOwner,
    private readonly namedRoutings: NamedRoutings,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get ready(): boolean {
    return this.bootstrapped;
  }

  /** Rebuild state from the compacted topics, load the reference set, then make sure a fresh system has a model to serve. */
  async onApplicationBootstrap(): Promise<void> {
    for (const m of await this.bus.readToEnd(TOPICS.modelRegistered)) {
      const d = decodeEvent(TOPICS.modelRegistered, m.value);
      if (d.ok) this.registry.apply(d.event.payload);
    }
    for (const m of await this.bus.readToEnd(TOPICS.namedModelRegistered)) {
      const d = decodeEvent(TOPICS.namedModelRegistered, m.value);
      if (d.ok) this.namedModels.apply(d.event.payload);
    }
    for (const m of await this.bus.readToEnd(TOPICS.trainingRun)) {
      const d = decodeEvent(TOPICS.trainingRun, m.value);
      if (d.ok) this.runs.apply(d.event.payload);
    }
    for (const m of await this.bus.readToEnd(TOPICS.namedModelRouting)) {
      const d = decodeEvent(TOPICS.namedModelRouting, m.value);
      if (d.ok) this.namedRoutings.apply(d.event.payload);
    }
    for (const m of await this.bus.readToEnd(TOPICS.modelRouting)) {
      const d = decodeEvent(TOPICS.modelRouting, m.value);
      if (d.ok) this.owner.restoreRouting(d.event.payload);
    }
    let announced: number | null = null;
    for (const m of await this.bus.readToEnd(TOPICS.modelReady)) {
      const d = decodeEvent(TOPICS.modelReady, m.value);
      if (d.ok) announced = d.event.payload.model.version;
    }
    // Fail start-up on a broken reference: a gate without it would let poisoned data through.
    this.reference = await loadReferenceDataset(this.config);
    await this.owner.reconcile(announced, `startup-${randomUUID()}`);
    // Only a registry with no versions at all is fresh: one whose promotion was interrupted is repaired above, not replaced.
    if (this.registry.list().length === 0) {
      this.logger.event('info', 'no model registered: training version 1 on the bundled iris data');
      await this.run({ job_id: `bootstrap-${randomUUID()}`, reason: 'bootstrap', dataset: { source: 'iris' } }, 'bootstrap');
    } else if (!this.registry.current()) {
      this.logger.event('error', 'models are registered but none is current: promote one (POST /models/{version}/promote)', {
        versions: this.registry.list().length,
      });
    }
    this.bootstrapped = true;
  }

  /**
   * Trains, gates and registers one job. Returns null for a job already finished: a redelivered
   * event must not train a second model. A job interrupted half-way (the trainer died) runs again
   * to the same result: training is seeded, and the job keeps the run id and version it was
   * given, so its records overwrite rather than add.
   */
  async run(job: RetrainRequested, requestId: string): Promise<TrainingRun | null> {
    const known = this.runs.get(job.job_id);
    if (known && FINAL.has(known.status)) {
      this.logger.event('info', 'retrain job already finished; redelivery ignored', { job_id: job.job_id });
      return null;
    }
    const started = new Date();
    const modelName = job.model_name !== undefined && job.model_name !== DEFAULT_MODEL ? job.model_name : undefined;
    const algorithm = job.model?.algorithm ?? job.algorithm ?? DEFAULT_ALGORITHM;
    // An imported model says what it was fitted with (null where it does not say); otherwise the
    // request's hyperparameters, validated where it arrived, with the algorithm's defaults.
    const hyperparameters = job.model
      ? describeModel(job.model).hyperparameters
      : (estimatorFor(algorithm).hyperparameters(requestedHyperparameters(job)) as Record<string, number>);
    const base: TrainingRun = {
      job_id: job.job_id,
      ...(modelName ? { model_name: modelName } : {}),
      run_id: derivedEventId(job.job_id, 'training-run'),
      status: 'running',
      params: {
        algorithm,
        hyperparameters,
        test_size: job.test_size ?? DEFAULTS.test_size,
        random_state: job.random_state ?? DEFAULTS.random_state,
        ...(typeof hyperparameters.var_smoothing === 'number' ? { var_smoothing: hyperparameters.var_smoothing } : {}),
        dataset: job.dataset?.source ?? 'iris',
        reason: job.reason ?? 'manual',
      },
      dataset: null,
      metrics: null,
      current_model_accuracy_on_holdout: null,
      reference: null,
      model_version: null,
      artifact_checksum: null,
      code_version: this.config.CODE_VERSION,
      started_at: started.toISOString(),
      finished_at: null,
      duration_ms: null,
      outcome_reason: null,
    };
    await this.recordRun(base, requestId);
    // In a sampled retrain's trace: the run, with its outcome.
    const span = recordingSpanActive()
      ? startSpan('train', {
          attributes: {
            'ml.job.id': job.job_id,
            'ml.model.name': modelName ?? DEFAULT_MODEL,
            'ml.dataset': base.params.dataset,
            'ml.retrain.reason': base.params.reason,
            'ml.algorithm': algorithm,
          },
        })
      : undefined;
    const finish = (patch: Partial<TrainingRun>): TrainingRun => {
      const finished = new Date();
      return { ...base, ...patch, finished_at: finished.toISOString(), duration_ms: finished.getTime() - started.getTime() };
    };
    let run: TrainingRun;
    try {
      const target = modelName ? await this.namedTarget(modelName, job, requestId) : await this.defaultTarget(job, requestId);
      const { data, current, reference, version } = target;
      const fp = fingerprintDataset(data);
      const result = trainModel(
        data,
        { algorithm, testSize: base.params.test_size, randomState: base.params.random_state, hyperparameters, fitted: job.model, holdout: target.holdout },
        {
          minAccuracy: this.config.MIN_ACCURACY,
          maxRegression: this.config.MAX_REGRESSION,
          minHoldoutRows: this.config.MIN_HOLDOUT_ROWS,
          maxReferenceRegression: this.config.REFERENCE_MAX_REGRESSION,
        },
        current?.job_id === job.job_id ? null : (current?.model.params ?? null),
        reference?.data ?? null,
      );
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
        // An imported model was fitted elsewhere: the dataset is only what it was judged on.
        params: { ...base.params, dataset: job.model ? `import (judged on ${target.datasetLabel})` : target.datasetLabel },
        dataset: { sha256: fp.sha256, rows: fp.rows, class_counts: fp.classCounts },
        metrics: result.evaluation,
        current_model_accuracy_on_holdout: result.currentAccuracyOnHoldout,
        reference: result.reference && reference && { dataset: reference.label, ...result.reference },
        model_version: version,
        artifact_checksum: artifact.checksum,
        outcome_reason: result.decision.reason,
      });
      await target.register(artifact, run);
    } catch (err) {
      const reason = bounded((err as Error).message);
      this.logger.event('warn', 'training failed', { job_id: job.job_id, reason });
      run = finish({ status: 'failed', outcome_reason: reason });
      await this.publisher.publish(TOPICS.retrainFailed, { job_id: job.job_id, reason }, { key: job.job_id, requestId });
    }
    await this.recordRun(run, requestId);
    trainingRuns.inc({ status: run.status });
    if (span) {
      span.setAttributes({
        'ml.training.status': run.status,
        ...(run.model_version !== null ? { 'ml.model.version': run.model_version } : {}),
        ...(run.metrics ? { 'ml.accuracy': run.metrics.accuracy } : {}),
        ...(run.dataset ? { 'ml.dataset.rows': run.dataset.rows } : {}),
      });
      endSpan(span, run.status === 'failed' ? new Error(run.outcome_reason ?? 'training failed') : undefined);
    }
    this.logger.event('info', 'training run finished', {
      job_id: run.job_id,
      status: run.status,
      model_version: run.model_version,
      accuracy: run.metrics?.accuracy,
      reason: run.outcome_reason,
    });
    return run;
  }

  private async defaultTarget(job: RetrainRequested, requestId: string): Promise<TrainingTarget> {
    const loaded = await loadDataset(job.dataset ?? { source: 'iris' }, this.config, () => this.labeledRows());
    const current = this.registry.current() ?? null;
    return {
      data: loaded.data,
      datasetLabel: loaded.label,
      holdout: job.holdout ? parseIrisCsv((await readDatasetFile(this.config.DATA_DIR, job.holdout.path, this.config.DATASET_MAX_BYTES)).text) : undefined,
      current,
      reference: this.reference ?? (await loadReferenceDataset(this.config)),
      version: this.registry.versionOfJob(job.job_id) ?? this.registry.nextVersion(),
      register: (artifact, run) => this.register(artifact, run, current, requestId),
    };
  }

  /**
   * A named model learns its features and classes from its first dataset; later versions must
   * keep them (a client sends the fields the model asked for), and are judged on that first
   * dataset too, as the default model's candidates are on the reference set.
   */
  private async namedTarget(name: string, job: RetrainRequested, requestId: string): Promise<TrainingTarget> {
    if (this.namedModels.archivedAt(name) !== null) throw new DatasetError(`model ${name} was deleted; a deleted model's name is not reused`);
    const registry = this.namedModels.registry(name);
    const current = registry?.current() ?? null;
    const first = registry?.list()[0];
    // An imported version with no dataset of its own is judged on the model's reference set.
    const loaded =
      job.dataset?.source === 'feedback'
        ? await this.namedFeedback(name, job.dataset.since)
        : job.dataset?.source === 'rows'
          ? namedRowsDataset(job.dataset.rows, job.dataset.label, this.existingReference(name, first))
          : job.model && !job.dataset && first
            ? await loadNamedReference(first.schema.reference, this.config)
            : await loadNamedDataset(namedDatasetSource(job.dataset), this.config);
    // A new model's first version imported: its dataset (the reference) is put in the export's feature order.
    const creatingByImport = !first && job.model !== undefined;
    const order = current?.model.params ?? (creatingByImport ? job.model : undefined);
    const data = order ? alignDataset(loaded.data, order, 'the dataset') : loaded.data;
    const holdout = job.holdout ? (await loadNamedDataset({ ...job.holdout, label: job.holdout.label ?? loaded.schema.label }, this.config)).data : undefined;
    const reference = first ? await loadNamedReference(first.schema.reference, this.config) : null;
    const features = creatingByImport ? data.featureNames.map((n) => loaded.schema.features.find((f) => f.name === n)!) : loaded.schema.features;
    const schema = first?.schema ?? { label: loaded.schema.label, features, reference: loaded.reference };
    return {
      data,
      datasetLabel: loaded.label,
      holdout,
      current,
      reference: reference && {
        data: current ? alignDataset(reference.data, current.model.params, 'the reference set') : reference.data,
        label: reference.label,
      },
      version: registry?.versionOfJob(job.job_id) ?? registry?.nextVersion() ?? 1,
      register: (artifact, run) => {
        const candidate: NamedModelRegistered = {
          model_name: name,
          schema,
          deleted_at: null,
          version: artifact.version,
          status: run.status === 'promoted' ? 'archived' : 'rejected',
          status_reason: run.outcome_reason ?? '',
          parent_version: current && current.version !== artifact.version ? current.version : (registry?.get(artifact.version)?.parent_version ?? null),
          job_id: run.job_id,
          registered_at: new Date().toISOString(),
          model: artifact,
        };
        return this.namedOwner.registerCandidate(candidate, run.status === 'promoted', run.outcome_reason ?? 'promoted', requestId);
      },
    };
  }

  private existingReference(name: string, first: NamedModelRegistered | undefined): FeatureSchemaRecord['reference'] {
    if (!first) throw new DatasetError(`there is no model named ${name} to retrain from rows: a model is created from a CSV, its reference set`);
    return first.schema.reference;
  }

  /** A named model's reference set plus its joined labeled rows, in the order of its current (else newest) version. */
  private async namedFeedback(name: string, since: string | undefined): Promise<NamedDataset> {
    const registry = this.namedModels.registry(name);
    const first = registry?.list()[0];
    const schemaOf = registry?.current() ?? registry?.list().at(-1);
    if (!first || !schemaOf)
      throw new DatasetError(`there is no model named ${name} to retrain from feedback: a model learns its features and classes from a CSV first`);
    const rows = (await this.bus.readToEnd(TOPICS.namedFeedbackLabeled)).flatMap((m) => {
      const d = decodeEvent(TOPICS.namedFeedbackLabeled, m.value);
      return d.ok ? [d.event.payload] : [];
    });
    const { featureNames, classNames } = schemaOf.model.params;
    return namedFeedbackDataset(await loadNamedReference(first.schema.reference, this.config), { name, featureNames, classNames }, rows, since);
  }

  private async labeledRows(): Promise<LabeledRow[]> {
    return (await this.bus.readToEnd(TOPICS.feedbackLabeled)).flatMap((m) => {
      const d = decodeEvent(TOPICS.feedbackLabeled, m.value);
      return d.ok ? [d.event.payload] : [];
    });
  }

  private async register(artifact: ModelArtifact, run: TrainingRun, current: ModelRegistered | null, requestId: string): Promise<void> {
    const candidate: ModelRegistered = {
      version: artifact.version,
      // A candidate that passed the gate is held as archived only until promotion() makes it current.
      status: run.status === 'promoted' ? 'archived' : 'rejected',
      status_reason: run.outcome_reason ?? '',
      parent_version: current && current.version !== artifact.version ? current.version : (this.registry.get(artifact.version)?.parent_version ?? null),
      job_id: run.job_id,
      registered_at: new Date().toISOString(),
      model: artifact,
    };
    await this.owner.registerCandidate(candidate, run.status === 'promoted', run.outcome_reason ?? 'promoted', requestId);
  }

  private async recordRun(run: TrainingRun, requestId: string): Promise<void> {
    this.runs.apply(run);
    await this.publisher.publish(TOPICS.trainingRun, run, { key: run.job_id, requestId });
  }
}
