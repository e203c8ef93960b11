import { Global, Module, type DynamicModule } from '@nestjs/common';
import { HealthController } from './health.controller';
import { JsonLogger } from './json-logger';
import { Readiness } from './readiness';

@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(logger: JsonLogger): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [HealthController],
      providers: [{ provide: JsonLogger, useValue: logger }, Readiness],
      exports: [JsonLogger, Readiness],
    };
  }
}
