import { Module } from '@nestjs/common';
import { ModelRegistry } from './model-registry';
import { RegistryHandler } from './registry.handler';

/** The registry read model plus the handler that feeds it; import it wherever the registry is read. */
@Module({
  controllers: [RegistryHandler],
  providers: [{ provide: ModelRegistry, useFactory: () => new ModelRegistry() }],
  exports: [ModelRegistry],
})
export class RegistryModule {}
