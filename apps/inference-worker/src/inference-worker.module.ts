import { Module, type DynamicModule } from '@nestjs/common';
import { EVENT_BUS, type EventBus } from '@app/messaging';
import { Readiness } from '@app/observability';
import { NamedScorers, RegistryModule } from '@app/registry';
import { RuntimeModule, type ServiceContext } from '@app/runtime';
import { ModelCatalog } from './scoring/model-catalog';
import { ModelReadyHandler } from './scoring/model-ready.handler';
import { ModelVersions } from './scoring/model-versions';
import { NamedPredictionHandler } from './scoring/named-prediction.handler';
import { PredictionRequestHandler } from './scoring/prediction-request.handler';
import { RequestScorer } from './scoring/request-scorer';
import { ServingModel } from './scoring/serving-model';

@Module({})
export class InferenceWorkerModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: InferenceWorkerModule,
      imports: [RuntimeModule.forRoot(ctx), RegistryModule.register({ baselines: false })],
      controllers: [PredictionRequestHandler, NamedPredictionHandler, ModelReadyHandler],
      providers: [
        ServingModel,
        ModelCatalog,
        ModelVersions,
        RequestScorer,
        NamedScorers,
        {
          provide: 'WORKER_READINESS',
          inject: [Readiness, EVENT_BUS, ServingModel],
          useFactory: (readiness: Readiness, bus: EventBus, serving: ServingModel) => {
            readiness.register('broker', () => bus.isConnected());
            readiness.register('model', () => serving.current !== null);
          },
        },
      ],
    };
  }
}
