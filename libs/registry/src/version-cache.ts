import type { ModelArtifact } from '@app/contracts';
import type { ModelRegistry } from './model-registry';

/**
 * Any registered version turned into something usable (a scorer), built on first use from the
 * registry and kept for the few most recently used versions: shadows, canaries, re-scoring.
 */
export class VersionCache<T> {
  private readonly built = new Map<number, T>();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly build: (artifact: ModelArtifact) => T,
    private readonly kept = 8,
  ) {}

  /** Undefined until the registry record of the version has arrived. */
  get(version: number): T | undefined {
    let value = this.built.get(version);
    if (value !== undefined) {
      this.built.delete(version);
    } else {
      const record = this.registry.get(version);
      if (!record) return undefined;
      value = this.build(record.model);
    }
    this.built.set(version, value);
    if (this.built.size > this.kept) this.built.delete(this.built.keys().next().value!);
    return value;
  }
}
