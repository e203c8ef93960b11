import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { EVENT_BUS, EventPublisher } from '@app/messaging';
import { ObservabilityModule } from '@app/observability';
import { AccessGuard, ApiKeys, AuthFailures, parseKeys } from '@app/security';
import { HttpDrain } from './http-drain';
import { rateLimitOptions } from './rate-limit';
import { APP_CONFIG, type ServiceContext } from './service-context';

@Global()
@Module({})
export class RuntimeModule {
  static forRoot(ctx: ServiceContext): DynamicModule {
    const keys = new ApiKeys(parseKeys(ctx.config.API_KEYS), parseKeys(ctx.config.ADMIN_API_KEYS));
    // One count of wrong keys per service, shared by HTTP and gRPC: a guesser gains nothing by switching.
    const failures = new AuthFailures(ctx.config.AUTH_FAILURE_LIMIT, ctx.config.AUTH_FAILURE_WINDOW_SECONDS * 1000);
    return {
      module: RuntimeModule,
      imports: [ObservabilityModule.forRoot(ctx.logger), ThrottlerModule.forRoot(rateLimitOptions(ctx.config, keys))],
      providers: [
        { provide: APP_CONFIG, useValue: ctx.config },
        { provide: EVENT_BUS, useValue: ctx.bus },
        { provide: EventPublisher, useValue: ctx.publisher },
        { provide: HttpDrain, useValue: new HttpDrain() },
        { provide: ApiKeys, useValue: keys },
        { provide: AuthFailures, useValue: failures },
        // Order matters: count the request against its caller's limit before deciding whether it may pass.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, inject: [Reflector], useFactory: (reflector: Reflector) => new AccessGuard(reflector, keys, failures) },
      ],
      exports: [APP_CONFIG, EVENT_BUS, EventPublisher, HttpDrain, ApiKeys, AuthFailures],
    };
  }
}
