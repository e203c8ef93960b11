import { DEFAULT_MODEL, type TrainingRun } from '@app/contracts';
import type { KeyValue, MlflowMetric, MlflowRunStatus } from './mlflow-entities';
import { stableDigest } from './stable-digest';

/** What one training run looks like in MLflow; the digest covers everything written. */
export interface MirroredRun {
  platformRunId: string;
  jobId: string;
  runName: string;
  startTime: number;
  endTime: number | null;
  status: MlflowRunStatus;
  params: KeyValue[];
  metrics: MlflowMetric[];
  tags: KeyValue[];
  digest: string;
}

/** Tags a run gets when it is created, whichever record creates it: how the mirror finds it again. */
export const RUN_KEY_TAG = 'platform_run_id';
export const MIRROR_DIGEST_TAG = 'mirror_digest';

/** Runs recorded before the run record named its algorithm all trained this one. */
const ALGORITHM_BEFORE_RECORDED = 'gaussian_nb';
/** MLflow's limits (mlflow/utils/validation.py): longer values are refused, so they are cut here. */
const MAX_PARAM_VALUE = 6000;
const MAX_TAG_VALUE = 8000;

const STATUS: Record<TrainingRun['status'], MlflowRunStatus> = {
  accepted: 'SCHEDULED',
  running: 'RUNNING',
  promoted: 'FINISHED',
  rejected: 'FINISHED',
  failed: 'FAILED',
};

const cut = (value: string, max: number) => (value.length > max ? value.slice(0, max) : value);
/** Metric and param names may hold letters, digits and `_-. /`; a class name from a CSV may hold anything. */
const safeName = (name: string) => name.replace(/[^A-Za-z0-9_\-. /]/g, '_');

export function creationTags(platformRunId: string, jobId: string): KeyValue[] {
  return [
    { key: RUN_KEY_TAG, value: platformRunId },
    { key: 'job_id', value: jobId },
    { key: 'mlflow.source.name', value: 'iris-platform trainer' },
    { key: 'mlflow.source.type', value: 'JOB' },
    { key: 'mlflow.user', value: 'iris-platform' },
  ];
}

/**
 * The run's params, metrics and tags as MLflow shows them. Params come from the run record's
 * params object whatever its algorithm, nested objects flattened with dots; metrics and params
 * are written once the run is final, as MLflow refuses to change a logged param.
 */
export function mirroredRun(run: TrainingRun): MirroredRun {
  const final = run.status === 'promoted' || run.status === 'rejected' || run.status === 'failed';
  const at = Date.parse(run.finished_at ?? run.started_at);
  const params = final ? runParams(run.params) : [];
  const metrics = final ? runMetrics(run, at) : [];
  const tags = runTags(run);
  const shape = {
    runName: run.job_id,
    startTime: Date.parse(run.started_at),
    endTime: run.finished_at ? Date.parse(run.finished_at) : null,
    status: STATUS[run.status],
    params,
    metrics,
    tags,
  };
  return { platformRunId: run.run_id, jobId: run.job_id, ...shape, digest: stableDigest(shape) };
}

function runParams(params: TrainingRun['params']): KeyValue[] {
  // Hyperparameters under scikit-learn's own names, as MLflow's autologging logs them.
  const { hyperparameters, ...rest } = params;
  const flat = flatten({ ...rest, ...hyperparameters } as Record<string, unknown>);
  if (!flat.some((p) => p.key === 'algorithm')) flat.unshift({ key: 'algorithm', value: ALGORITHM_BEFORE_RECORDED });
  return flat;
}

function flatten(value: Record<string, unknown>, prefix = ''): KeyValue[] {
  return Object.entries(value).flatMap(([key, v]): KeyValue[] => {
    const name = safeName(prefix + key);
    if (v === undefined || v === null) return [];
    if (typeof v === 'object' && !Array.isArray(v)) return flatten(v as Record<string, unknown>, `${name}.`);
    return [{ key: name, value: cut(typeof v === 'string' ? v : JSON.stringify(v), MAX_PARAM_VALUE) }];
  });
}

function runMetrics(run: TrainingRun, timestamp: number): MlflowMetric[] {
  const values: Array<[string, number | null | undefined]> = [];
  const m = run.metrics;
  if (m) {
    values.push(['holdout_accuracy', m.accuracy], ['holdout_macro_f1', m.macro_f1], ['holdout_size', m.holdout_size]);
    for (const [cls, c] of Object.entries(m.per_class)) {
      values.push([`holdout_precision_${safeName(cls)}`, c.precision], [`holdout_recall_${safeName(cls)}`, c.recall], [`holdout_f1_${safeName(cls)}`, c.f1]);
    }
  }
  values.push(['holdout_current_model_accuracy', run.current_model_accuracy_on_holdout]);
  values.push(['reference_accuracy', run.reference?.candidate_accuracy], ['reference_current_model_accuracy', run.reference?.current_accuracy]);
  values.push(['duration_ms', run.duration_ms]);
  return values.flatMap(([key, value]) => (value === null || value === undefined ? [] : [{ key, value, timestamp, step: 0 }]));
}

function runTags(run: TrainingRun): KeyValue[] {
  const tags: Array<[string, string | number | null | undefined]> = [
    [RUN_KEY_TAG, run.run_id],
    ['job_id', run.job_id],
    // Version numbers are per model: registry_version means nothing without it.
    ['model', run.model_name ?? DEFAULT_MODEL],
    ['code_version', run.code_version],
    ['dataset_sha256', run.dataset?.sha256],
    ['dataset_rows', run.dataset?.rows],
    ['reference_dataset', run.reference?.dataset],
    ['reference_rows', run.reference?.rows],
    ['gate_outcome', run.status === 'promoted' || run.status === 'rejected' || run.status === 'failed' ? run.status : null],
    ['gate_reason', run.outcome_reason],
    ['registry_version', run.model_version],
    ['model_checksum', run.artifact_checksum],
    ['mlflow.note.content', note(run)],
  ];
  return tags.flatMap(([key, value]) => (value === null || value === undefined ? [] : [{ key, value: cut(String(value), MAX_TAG_VALUE) }]));
}

/** The run's description in MLflow's UI. */
function note(run: TrainingRun): string {
  const head = `Retrain job \`${run.job_id}\` (${run.params.reason}), recorded by the iris platform's trainer.`;
  if (run.status === 'promoted' || run.status === 'rejected') {
    return `${head}\n\n**${run.status}** as registry version ${run.model_version}${run.model_name ? ` of model ${run.model_name}` : ''}: ${run.outcome_reason ?? ''}`;
  }
  if (run.status === 'failed') return `${head}\n\n**failed**: ${run.outcome_reason ?? ''}`;
  return head;
}
