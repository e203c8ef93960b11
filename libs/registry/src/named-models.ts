import type { NamedModelRegistered } from '@app/contracts';
import { ModelRegistry } from './model-registry';

/**
 * Every named model's registry: a fold over the named-model topic (keyed name/version), one
 * ModelRegistry per name, so versions, the current version and promotions work per model
 * exactly as they do for the default model.
 */
export interface NamedModelsOptions {
  /**
   * Keep each version's drift baselines (a histogram per feature: two thirds of a 200-feature
   * record). Only the monitor (drift) and the trainer (it republishes whole records) read them;
   * a hundred models' baselines cost a gateway or a worker tens of MB for nothing.
   */
  baselines: boolean;
}

export class NamedModels {
  private readonly models = new Map<string, ModelRegistry<NamedModelRegistered>>();

  constructor(private readonly options: NamedModelsOptions = { baselines: true }) {}

  apply(received: NamedModelRegistered): void {
    const record = this.options.baselines ? received : { ...received, model: { ...received.model, baselines: [] } };
    let registry = this.models.get(record.model_name);
    if (!registry) {
      registry = new ModelRegistry<NamedModelRegistered>();
      this.models.set(record.model_name, registry);
    }
    registry.apply(record);
  }

  /** Every name ever registered, archived ones included (a name is never reused). */
  names(): string[] {
    return [...this.models.keys()].sort();
  }

  /** The model's registry, whether or not it is archived; undefined for a name never registered. */
  registry(name: string): ModelRegistry<NamedModelRegistered> | undefined {
    return this.models.get(name);
  }

  /**
   * When DELETE archived the model. Any archived version archives the model: an archive cut short
   * (the writer died between two records) must not leave half a model serving.
   */
  archivedAt(name: string): string | null {
    return (
      this.models
        .get(name)
        ?.list()
        .find((r) => r.deleted_at !== null)?.deleted_at ?? null
    );
  }

  /** The registry of a model that serves: registered and not archived. */
  serving(name: string): ModelRegistry<NamedModelRegistered> | undefined {
    return this.archivedAt(name) === null ? this.models.get(name) : undefined;
  }

  /** A version of a serving model. */
  version(name: string, version: number): NamedModelRegistered | undefined {
    return this.serving(name)?.get(version);
  }
}
