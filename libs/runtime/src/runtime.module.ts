import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { EVENT_BUS, EventPublisher } from '@app/messaging';
import { ObservabilityModule } from '@app/observability';
import { AccessGuard, ApiKeys, parseKeys } from '@app/security';
import { HttpDrain } from './http-drain';
import { rateLimitOptions } from './rate-limit';
import { APP_CONFIG, type ServiceContext } from './service-context';

@Global()
@Module({})
export class RuntimeModule {
  static forRoot(ctx: ServiceContext): DynamicModule {
    const keys = new ApiKeys(parseKeys(ctx.config.API_KEYS), parseKeys(ctx.config.ADMIN_API_KEYS));
    return {
      module: RuntimeModule,
      imports: [ObservabilityModule.forRoot(ctx.logger), ThrottlerModule.forRoot(rateLimitOptions(ctx.config, keys))],
      providers: [
        { provide: APP_CONFIG, useValue: ctx.config },
        { provide: EVENT_BUS, useValue: ctx.bus },
        { provide: EventPublisher, useValue: ctx.publisher },
        { provide: HttpDrain, useValue: new HttpDrain() },
        { provide: ApiKeys, useValue: keys },
        // Order matters: count the request against its caller's limit before deciding whether it may pass.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, inject: [Reflector], useFactory: (reflector: Reflector) => new AccessGuard(reflector, keys) },
      ],
      exports: [APP_CONFIG, EVENT_BUS, EventPublisher, HttpDrain, ApiKeys],
    };
  }
}
