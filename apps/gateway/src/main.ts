import 'reflect-metadata';
import { runService } from '@app/runtime';
import { GatewayModule } from './gateway.module';

void runService({ service: 'gateway', defaultPort: 3000, module: (ctx) => GatewayModule.register(ctx), openApiTitle: 'Iris inference gateway' });
