import 'reflect-metadata';
import { runService } from '@app/runtime';
import { InferenceWorkerModule } from './inference-worker.module';

void runService({ service: 'inference-worker', defaultPort: 3001, module: (ctx) => InferenceWorkerModule.register(ctx) });
