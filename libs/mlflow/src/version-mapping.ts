import type { LiveEvaluation, ModelArtifact, ModelRegistered, ModelRouting } from '@app/contracts';
import type { KeyValue } from './mlflow-entities';
import { modelReadme } from './model-readme';
import { DEFAULT_MODEL, registeredModelName } from './registered-model-name';
import { stableDigest } from './stable-digest';

/** The MLflow model version tag holding our registry's version number: how the mirror finds a version again. */
export const VERSION_KEY_TAG = 'registry_version';

/** Every tag the mirror sets on a model version: one that no longer applies (live accuracy gone) is deleted. */
const MANAGED_TAGS = [
  VERSION_KEY_TAG,
  'status',
  'status_reason',
  'job_id',
  'platform_run_id',
  'model_checksum',
  'parent_version',
  'holdout_accuracy',
  'live_labeled',
  'live_accuracy',
  'live_accuracy_ci95',
] as const;
/** Bounded as run tags are (MLflow's MAX_TAG_VAL_LENGTH): the reasons are ours, never a file's content. */
const MAX_TAG_VALUE = 8000;

export interface MirroredVersion {
  modelName: string;
  registryVersion: number;
  platformRunId: string;
  jobId: string;
  trainedAt: number;
  description: string;
  tags: KeyValue[];
  /** Files written under the run's `model/` before the version is created (immutable per version). */
  files: Array<{ path: string; content: string; contentType: string }>;
  digest: string;
}

export function managedVersionTags(): readonly string[] {
  return MANAGED_TAGS;
}

/** A registry version with its live figures (when the monitor has any) as an MLflow model version. */
export function mirroredVersion(record: ModelRegistered, live: LiveEvaluation | undefined): MirroredVersion {
  const modelName = registeredModelName(record);
  const values: Array<[(typeof MANAGED_TAGS)[number], string | number | null | undefined]> = [
    [VERSION_KEY_TAG, record.version],
    ['status', record.status],
    ['status_reason', record.status_reason],
    ['job_id', record.job_id],
    ['platform_run_id', record.model.run_id],
    ['model_checksum', record.model.checksum],
    ['parent_version', record.parent_version],
    ['holdout_accuracy', record.model.metrics.accuracy],
    ['live_labeled', live?.labeled],
    ['live_accuracy', live?.accuracy],
    ['live_accuracy_ci95', live?.accuracy_ci95 ? `[${live.accuracy_ci95[0]}, ${live.accuracy_ci95[1]}]` : null],
  ];
  const tags = values.flatMap(([key, value]) => (value === null || value === undefined ? [] : [{ key, value: String(value).slice(0, MAX_TAG_VALUE) }]));
  // The default model's wording is kept as it was: a changed description would rewrite every version already mirrored.
  const whose = modelName === DEFAULT_MODEL ? "the iris platform's registry" : `model ${modelName} in the platform's registry`;
  const description = `Version ${record.version} of ${whose} (retrain job ${record.job_id}): ${record.status}. ${record.status_reason}`.slice(0, MAX_TAG_VALUE);
  const shape = { tags, description };
  return {
    modelName,
    registryVersion: record.version,
    platformRunId: record.model.run_id,
    jobId: record.job_id,
    trainedAt: Date.parse(record.model.trained_at),
    description,
    tags,
    files: artifactFiles(modelName, record.model),
    digest: stableDigest(shape),
  };
}

function artifactFiles(modelName: string, artifact: ModelArtifact): MirroredVersion['files'] {
  return [
    { path: 'model/model.json', content: JSON.stringify(artifact), contentType: 'application/json' },
    { path: 'model/README.md', content: modelReadme(modelName, artifact), contentType: 'text/markdown' },
  ];
}

export type Aliases = Record<'champion' | 'challenger', number | null>;

/** Our routing as MLflow aliases: champion serves, challenger is the canary or, without one, the shadow. */
export function routingAliases(routing: ModelRouting): Aliases {
  return { champion: routing.current_version, challenger: routing.canary?.version ?? routing.shadow_version };
}
