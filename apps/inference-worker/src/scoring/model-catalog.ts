import { Injectable } from '@nestjs/common';
import { ModelRegistry, VersionCache } from '@app/registry';
import { loadModel, type LoadedModel } from './serving-model';

/** Any registered version, compiled on first use (shadow, canary), from the registry this worker replays. */
@Injectable()
export class ModelCatalog extends VersionCache<LoadedModel> {
  constructor(registry: ModelRegistry) {
    super(registry, loadModel);
  }
}
