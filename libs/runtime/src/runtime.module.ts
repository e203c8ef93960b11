import { Global, Module, type DynamicModule } from '@nestjs/common';
import { EVENT_BUS, EventPublisher } from '@app/messaging';
import { ObservabilityModule } from '@app/observability';
import { HttpDrain } from './http-drain';
import { APP_CONFIG, type ServiceContext } from './service-context';

@Global()
@Module({})
export class RuntimeModule {
  static forRoot(ctx: ServiceContext): DynamicModule {
    return {
      module: RuntimeModule,
      imports: [ObservabilityModule.forRoot(ctx.logger)],
      providers: [
        { provide: APP_CONFIG, useValue: ctx.config },
        { provide: EVENT_BUS, useValue: ctx.bus },
        { provide: EventPublisher, useValue: ctx.publisher },
        { provide: HttpDrain, useValue: new HttpDrain() },
      ],
      exports: [APP_CONFIG, EVENT_BUS, EventPublisher, HttpDrain],
    };
  }
}
