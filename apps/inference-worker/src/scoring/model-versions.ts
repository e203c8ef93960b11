import { Injectable } from '@nestjs/common';
import { ModelCatalog } from './model-catalog';
import type { LoadedModel } from './serving-model';

/**
 * A request can name a version this worker has not read yet: the gateway checked it against its
 * own view of the registry, and the worker's view follows the same topic a moment later.
 */
const ARRIVAL_WAIT_MS = 2000;
const POLL_MS = 50;

/** The models requests pin by version (OIP's /versions/{v}/infer), from the registry this worker replays. */
@Injectable()
export class ModelVersions {
  constructor(private readonly catalog: ModelCatalog) {}

  /** Per request: undefined when it pins no version, the model when it does, null when that version is still unknown after a short wait. */
  async resolve(requested: Array<number | undefined>): Promise<Array<LoadedModel | null | undefined>> {
    const deadline = Date.now() + ARRIVAL_WAIT_MS;
    for (;;) {
      const models = requested.map((v) => (v === undefined ? undefined : (this.catalog.get(v) ?? null)));
      if (!models.includes(null) || Date.now() >= deadline) return models;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
