import 'reflect-metadata';
import { runService } from '@app/runtime';
import { TrainerModule } from './trainer.module';

void runService({ service: 'trainer', defaultPort: 3002, module: (ctx) => TrainerModule.register(ctx) });
