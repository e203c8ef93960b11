import { Module, type DynamicModule } from '@nestjs/common';
import { EVENT_BUS, type EventBus } from '@app/messaging';
import { Readiness } from '@app/observability';
import { ModelRegistry, RegistryModule } from '@app/registry';
import { RuntimeModule, type ServiceContext } from '@app/runtime';
import { ModelsController } from './models/models.controller';
import { PendingReplies } from './prediction/pending-replies';
import { PredictionController } from './prediction/prediction.controller';
import { PredictionRepliesHandler } from './prediction/prediction-replies.handler';
import { PredictionService } from './prediction/prediction.service';
import { RetrainController } from './retrain/retrain.controller';

@Module({})
export class GatewayModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: GatewayModule,
      imports: [RuntimeModule.forRoot(ctx), RegistryModule],
      controllers: [PredictionController, PredictionRepliesHandler, ModelsController, RetrainController],
      providers: [
        PendingReplies,
        PredictionService,
        {
          provide: 'GATEWAY_READINESS',
          inject: [Readiness, EVENT_BUS, ModelRegistry],
          useFactory: (readiness: Readiness, bus: EventBus, registry: ModelRegistry) => {
            readiness.register('broker', () => bus.isConnected());
            readiness.register('model', () => registry.current() !== undefined);
          },
        },
      ],
    };
  }
}
