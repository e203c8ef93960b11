import { Module, type DynamicModule } from '@nestjs/common';
import { EVENT_BUS, type EventBus } from '@app/messaging';
import { Readiness } from '@app/observability';
import { RegistryModule } from '@app/registry';
import { RuntimeModule, type ServiceContext } from '@app/runtime';
import { MlflowMirrorModule } from './mlflow/mlflow-mirror.module';
import { RegistryCommandHandler } from './registry/registry-command.handler';
import { NamedRegistryOwner } from './registry/named-registry-owner.service';
import { RegistryOwner } from './registry/registry-owner.service';
import { RetrainRequestedHandler } from './training/retrain-requested.handler';
import { TrainerService } from './training/trainer.service';

@Module({})
export class TrainerModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: TrainerModule,
      imports: [RuntimeModule.forRoot(ctx), RegistryModule, MlflowMirrorModule.register(ctx)],
      controllers: [RetrainRequestedHandler, RegistryCommandHandler],
      providers: [
        TrainerService,
        RegistryOwner,
        NamedRegistryOwner,
        {
          provide: 'TRAINER_READINESS',
          inject: [Readiness, EVENT_BUS, TrainerService],
          useFactory: (readiness: Readiness, bus: EventBus, trainer: TrainerService) => {
            readiness.register('broker', () => bus.isConnected());
            readiness.register('registry', () => trainer.ready);
          },
        },
      ],
    };
  }
}
