import { Module, type DynamicModule } from '@nestjs/common';
import { EVENT_BUS, type EventBus } from '@app/messaging';
import { Readiness } from '@app/observability';
import { RuntimeModule, type ServiceContext } from '@app/runtime';
import { ModelReadyHandler } from './scoring/model-ready.handler';
import { ModelRegisteredHandler } from './scoring/model-registered.handler';
import { ModelVersions } from './scoring/model-versions';
import { PredictionRequestHandler } from './scoring/prediction-request.handler';
import { ServingModel } from './scoring/serving-model';

@Module({})
export class InferenceWorkerModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: InferenceWorkerModule,
      imports: [RuntimeModule.forRoot(ctx)],
      controllers: [PredictionRequestHandler, ModelReadyHandler, ModelRegisteredHandler],
      providers: [
        ServingModel,
        ModelVersions,
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
