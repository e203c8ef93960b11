import { Injectable } from '@nestjs/common';
import type { ModelArtifact } from '@app/contracts';
import { loadModel, type LoadedModel } from './serving-model';

/** Compiled versions kept besides the serving one: enough for side-by-side comparisons of a few versions. */
const COMPILED_KEPT = 8;
/**
 * A request can name a version this worker has not read yet: the gateway checked it against its
 * own view of the registry, and the worker's view follows the same topic a moment later.
 */
const ARRIVAL_WAIT_MS = 2000;

/**
 * Every registered version's artifact (from the compacted registry topic), and the few most
 * recently used ones compiled, for requests that name a version (OIP's /versions/{v}/infer).
 */
@Injectable()
export class ModelVersions {
  private readonly artifacts = new Map<number, ModelArtifact>();
  private readonly compiled = new Map<number, LoadedModel>();
  private readonly waiters = new Set<() => void>();

  register(artifact: ModelArtifact): void {
    this.artifacts.set(artifact.version, artifact);
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * The model for each request: the serving one when it names no version (or the serving
   * version), else that version, or null when it is still unknown after a short wait.
   */
  async resolve(requested: Array<number | undefined>, serving: LoadedModel): Promise<Array<LoadedModel | null>> {
    const unknown = requested.filter((v) => v !== undefined && v !== serving.version && !this.artifacts.has(v));
    if (unknown.length > 0) await this.arrival(unknown as number[]);
    return requested.map((v) => (v === undefined || v === serving.version ? serving : this.compile(v)));
  }

  private compile(version: number): LoadedModel | null {
    const cached = this.compiled.get(version);
    if (cached) {
      this.compiled.delete(version);
      this.compiled.set(version, cached);
      return cached;
    }
    const artifact = this.artifacts.get(version);
    if (!artifact) return null;
    const model = loadModel(artifact);
    this.compiled.set(version, model);
    if (this.compiled.size > COMPILED_KEPT) this.compiled.delete(this.compiled.keys().next().value!);
    return model;
  }

  /** Resolves when every version in `versions` is registered, or after ARRIVAL_WAIT_MS. */
  private arrival(versions: number[]): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (versions.every((v) => this.artifacts.has(v))) done();
      };
      const timer = setTimeout(done, ARRIVAL_WAIT_MS);
      this.waiters.add(check);
    });
  }
}
