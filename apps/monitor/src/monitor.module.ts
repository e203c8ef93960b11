import { Module, type DynamicModule } from '@nestjs/common';
import { EVENT_BUS, type EventBus } from '@app/messaging';
import { Readiness } from '@app/observability';
import { RuntimeModule, type ServiceContext } from '@app/runtime';

@Module({})
export class MonitorModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: MonitorModule,
      imports: [RuntimeModule.forRoot(ctx)],
      providers: [
        {
          provide: 'MONITOR_READINESS',
          inject: [Readiness, EVENT_BUS],
          useFactory: (readiness: Readiness, bus: EventBus) => readiness.register('broker', () => bus.isConnected()),
        },
      ],
    };
  }
}
