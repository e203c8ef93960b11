import 'reflect-metadata';
import { runService } from '@app/runtime';
import { DEFAULT_GRPC_PORT, gatewayAppOptions } from './gateway-app';
import { GatewayModule } from './gateway.module';

void runService({
  service: 'gateway',
  defaultPort: 3000,
  defaults: { GRPC_PORT: DEFAULT_GRPC_PORT },
  module: (ctx) => GatewayModule.register(ctx),
  app: gatewayAppOptions,
});
