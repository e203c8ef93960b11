import { Module } from '@nestjs/common';
import { ModelRegistry } from './model-registry';
import { NamedModels } from './named-models';
import { NamedModelsHandler } from './named-models.handler';
import { RegistryHandler } from './registry.handler';
import { RoutingHandler } from './routing.handler';
import { RoutingState } from './routing-state';
import { TrainingRuns } from './training-runs';
import { TrainingRunsHandler } from './training-runs.handler';

/** The registry and run read models plus the handlers that feed them; import wherever they are read. */
@Module({
  controllers: [RegistryHandler, TrainingRunsHandler, RoutingHandler, NamedModelsHandler],
  providers: [
    { provide: ModelRegistry, useFactory: () => new ModelRegistry() },
    { provide: TrainingRuns, useFactory: () => new TrainingRuns() },
    { provide: RoutingState, useFactory: () => new RoutingState() },
    { provide: NamedModels, useFactory: () => new NamedModels() },
  ],
  exports: [ModelRegistry, TrainingRuns, RoutingState, NamedModels],
})
export class RegistryModule {}
