import 'reflect-metadata';
import { runService } from '@app/runtime';
import { MonitorModule } from './monitor.module';

void runService({ service: 'monitor', defaultPort: 3003, module: (ctx) => MonitorModule.register(ctx) });
