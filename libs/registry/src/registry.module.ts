import { Module, type DynamicModule } from '@nestjs/common';
import { ModelRegistry } from './model-registry';
import { NamedModels, type NamedModelsOptions } from './named-models';
import { NamedModelsHandler } from './named-models.handler';
import { NamedRoutings } from './named-routings';
import { RegistryHandler } from './registry.handler';
import { RoutingHandler } from './routing.handler';
import { RoutingState } from './routing-state';
import { TrainingRuns } from './training-runs';
import { TrainingRunsHandler } from './training-runs.handler';

const NAMED_MODELS_OPTIONS = Symbol('NAMED_MODELS_OPTIONS');

/** The registry and run read models plus the handlers that feed them; import wherever they are read. */
@Module({
  controllers: [RegistryHandler, TrainingRunsHandler, RoutingHandler, NamedModelsHandler],
  providers: [
    { provide: ModelRegistry, useFactory: () => new ModelRegistry() },
    { provide: TrainingRuns, useFactory: () => new TrainingRuns() },
    { provide: RoutingState, useFactory: () => new RoutingState() },
    { provide: NamedRoutings, useFactory: () => new NamedRoutings() },
    {
      provide: NamedModels,
      inject: [{ token: NAMED_MODELS_OPTIONS, optional: true }],
      useFactory: (options?: NamedModelsOptions) => new NamedModels(options),
    },
  ],
  exports: [ModelRegistry, TrainingRuns, RoutingState, NamedModels, NamedRoutings],
})
export class RegistryModule {
  /** The same read models, the named ones held as `options` says (a service that never reads drift baselines drops them). */
  static register(options: NamedModelsOptions): DynamicModule {
    return { module: RegistryModule, providers: [{ provide: NAMED_MODELS_OPTIONS, useValue: options }] };
  }
}
