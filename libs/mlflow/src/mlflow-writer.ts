import { MlflowClient, proxiedArtifactPath } from './mlflow-client';
import { tagMap, type MlflowModelVersion, type MlflowRun } from './mlflow-entities';
import { MlflowError } from './mlflow-error';
import { MIRROR_DIGEST_TAG, RUN_KEY_TAG, creationTags, type MirroredRun } from './run-mapping';
import { VERSION_KEY_TAG, managedVersionTags, type Aliases, type MirroredVersion } from './version-mapping';

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

interface RunEntry {
  runId: string;
  artifactUri: string;
  digest: string | null;
}

interface VersionEntry {
  version: string;
  tags: Map<string, string>;
  description: string;
  digest: string | null;
}

const REGISTERED_MODEL_DESCRIPTION =
  "Mirrored from the iris platform's model registry, which stays the source of truth: serving never reads MLflow. " +
  "Aliases: champion = the current version, challenger = the canary (or the shadow). Tag registry_version = the platform's version number.";

/**
 * Idempotent writes of mirrored records to MLflow. Whatever it writes, it first looks up by
 * tag (platform_run_id on runs, registry_version on model versions), so a retried or replayed
 * record updates what exists and never creates a second run or version. It remembers what it
 * found or wrote, and the digest tag written last tells a later start what is already there.
 */
export class MlflowWriter {
  private experimentId: string | null = null;
  private readonly runs = new Map<string, RunEntry>();
  private readonly versions = new Map<string, VersionEntry>();
  private readonly models = new Set<string>();
  private warnedArtifactRoot = false;

  constructor(
    private readonly client: MlflowClient,
    private readonly experimentName: string,
    private readonly warn: (message: string, fields: Record<string, unknown>) => void,
  ) {}

  /** Abandons calls in flight: the mirror is stopping. */
  close(): void {
    this.client.close();
  }

  /** Reads every run and model version of ours MLflow holds, with the digest of what was written. */
  async loadIndex(modelNames: readonly string[]): Promise<void> {
    const experimentId = await this.experiment();
    let token: string | undefined;
    do {
      const page = await this.client.searchRuns(experimentId, '', token);
      for (const run of page.runs) this.indexRun(run);
      token = page.next_page_token;
    } while (token);
    for (const name of modelNames) {
      token = undefined;
      do {
        const page = await this.client.searchModelVersions(`name='${name}'`, token);
        for (const v of page.model_versions) this.indexVersion(v);
        token = page.next_page_token;
      } while (token);
    }
  }

  runDigest(platformRunId: string): string | null {
    return this.runs.get(platformRunId)?.digest ?? null;
  }

  versionDigest(modelName: string, registryVersion: number): string | null {
    return this.versions.get(`${modelName}:${registryVersion}`)?.digest ?? null;
  }

  async writeRun(run: MirroredRun): Promise<WriteOutcome> {
    const { entry, created } = await this.ensureRun(run.platformRunId, run.jobId, run.startTime);
    if (entry.digest === run.digest) return 'unchanged';
    await this.client.logBatch(entry.runId, { params: run.params, metrics: run.metrics, tags: run.tags });
    await this.client.updateRun(entry.runId, { status: run.status, endTime: run.endTime, runName: run.runName });
    // Last: a write cut short leaves the old digest, and the next attempt or start writes again.
    await this.client.logBatch(entry.runId, { params: [], metrics: [], tags: [{ key: MIRROR_DIGEST_TAG, value: run.digest }] });
    entry.digest = run.digest;
    return created ? 'created' : 'updated';
  }

  async writeVersion(v: MirroredVersion): Promise<WriteOutcome> {
    const entry = this.versions.get(`${v.modelName}:${v.registryVersion}`) ?? (await this.findVersion(v.modelName, v.registryVersion));
    if (!entry) {
      await this.ensureRegisteredModel(v.modelName);
      const { entry: run } = await this.ensureRun(v.platformRunId, v.jobId, v.trainedAt);
      await this.uploadFiles(run, v.files);
      const created = await this.client.createModelVersion({
        name: v.modelName,
        source: `runs:/${run.runId}/model`,
        runId: run.runId,
        tags: [...v.tags, { key: MIRROR_DIGEST_TAG, value: v.digest }],
        description: v.description,
      });
      this.indexVersion(created);
      return 'created';
    }
    if (entry.digest === v.digest) return 'unchanged';
    const desired = new Map(v.tags.map((t) => [t.key, t.value]));
    for (const [key, value] of desired) {
      if (entry.tags.get(key) !== value) await this.client.setModelVersionTag(v.modelName, entry.version, key, value);
    }
    for (const key of managedVersionTags()) {
      if (!desired.has(key) && entry.tags.has(key)) await this.client.deleteModelVersionTag(v.modelName, entry.version, key);
    }
    if (entry.description !== v.description) await this.client.updateModelVersion(v.modelName, entry.version, v.description);
    await this.client.setModelVersionTag(v.modelName, entry.version, MIRROR_DIGEST_TAG, v.digest);
    Object.assign(entry, { tags: new Map([...desired, [MIRROR_DIGEST_TAG, v.digest]]), description: v.description, digest: v.digest });
    return 'updated';
  }

  /** Points each alias at the MLflow version mirroring our version, or removes it. The versions must be written first. */
  async writeAliases(modelName: string, aliases: Aliases): Promise<void> {
    for (const [alias, registryVersion] of Object.entries(aliases)) {
      if (registryVersion === null) {
        await this.client.deleteAlias(modelName, alias);
        continue;
      }
      const entry = this.versions.get(`${modelName}:${registryVersion}`) ?? (await this.findVersion(modelName, registryVersion));
      if (!entry) throw new MlflowError(`${alias} is registry version ${registryVersion}, which is not in MLflow yet`, true);
      await this.client.setAlias(modelName, alias, entry.version);
    }
  }

  private async experiment(): Promise<string> {
    if (this.experimentId) return this.experimentId;
    let found = await this.client.getExperimentByName(this.experimentName);
    if (!found) {
      try {
        await this.client.createExperiment(this.experimentName, [
          { key: 'mlflow.note.content', value: "Training runs of the iris platform's trainer, mirrored from its Kafka topics." },
        ]);
      } catch (err) {
        // Created meanwhile by someone else: use theirs.
        if ((err as MlflowError).errorCode !== 'RESOURCE_ALREADY_EXISTS') throw err;
      }
      found = await this.client.getExperimentByName(this.experimentName);
    }
    if (!found) throw new MlflowError(`experiment "${this.experimentName}" was created but cannot be read back`, true);
    if (found.lifecycle_stage !== 'active') {
      throw new MlflowError(`experiment "${this.experimentName}" is deleted in MLflow: restore it, or set MLFLOW_EXPERIMENT_NAME to another`, true);
    }
    this.experimentId = found.experiment_id;
    return found.experiment_id;
  }

  private async ensureRun(platformRunId: string, jobId: string, startTime: number): Promise<{ entry: RunEntry; created: boolean }> {
    const known = this.runs.get(platformRunId);
    if (known) return { entry: known, created: false };
    const experimentId = await this.experiment();
    // A create whose answer was lost (a timeout) may still have happened: look before creating.
    const [found] = (await this.client.searchRuns(experimentId, `tags.${RUN_KEY_TAG} = '${platformRunId}'`)).runs;
    if (found) return { entry: this.indexRun(found)!, created: false };
    const run = await this.client.createRun({ experimentId, runName: jobId, startTime, tags: creationTags(platformRunId, jobId) });
    return { entry: this.indexRun(run)!, created: true };
  }

  private indexRun(run: MlflowRun): RunEntry | undefined {
    const tags = tagMap(run.data.tags);
    const key = tags.get(RUN_KEY_TAG);
    if (!key) return undefined;
    const entry = { runId: run.info.run_id, artifactUri: run.info.artifact_uri, digest: tags.get(MIRROR_DIGEST_TAG) ?? null };
    this.runs.set(key, entry);
    return entry;
  }

  private async findVersion(modelName: string, registryVersion: number): Promise<VersionEntry | undefined> {
    const [found] = (await this.client.searchModelVersions(`name='${modelName}' and tags.${VERSION_KEY_TAG}='${registryVersion}'`)).model_versions;
    return found ? this.indexVersion(found) : undefined;
  }

  private indexVersion(v: MlflowModelVersion): VersionEntry | undefined {
    const tags = tagMap(v.tags);
    const registryVersion = tags.get(VERSION_KEY_TAG);
    if (!registryVersion) return undefined;
    const entry = { version: v.version, tags, description: v.description ?? '', digest: tags.get(MIRROR_DIGEST_TAG) ?? null };
    this.versions.set(`${v.name}:${registryVersion}`, entry);
    return entry;
  }

  private async ensureRegisteredModel(name: string): Promise<void> {
    if (this.models.has(name)) return;
    if (!(await this.client.getRegisteredModel(name))) {
      try {
        await this.client.createRegisteredModel(name, REGISTERED_MODEL_DESCRIPTION);
      } catch (err) {
        if ((err as MlflowError).errorCode !== 'RESOURCE_ALREADY_EXISTS') throw err;
      }
    }
    this.models.add(name);
  }

  private async uploadFiles(run: RunEntry, files: MirroredVersion['files']): Promise<void> {
    if (proxiedArtifactPath(run.artifactUri) === null) {
      if (!this.warnedArtifactRoot) {
        this.warn('model artifacts not written to MLflow: the run artifact root is not served by the tracking server (run it with --serve-artifacts)', {
          artifact_uri: run.artifactUri,
        });
        this.warnedArtifactRoot = true;
      }
      return;
    }
    for (const f of files) await this.client.uploadArtifact(run.artifactUri, f.path, f.content, f.contentType);
  }
}
