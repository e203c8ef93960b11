import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MlflowMirror, createMlflowMirror } from '@app/mlflow';
import { Readiness } from '@app/observability';
import type { ServiceContext } from '@app/runtime';
import { MlflowMirrorHandler } from './mlflow-mirror.handler';

/** Starts the mirror's loop once the trainer is up, and stops it before the bus closes. */
@Injectable()
class MlflowMirrorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(MlflowMirror) private readonly mirror: MlflowMirror) {}

  onApplicationBootstrap(): void {
    this.mirror.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.mirror.stop();
  }
}

/**
 * The MLflow mirror, present only with MLFLOW_TRACKING_URI set. Its state shows in /ready's
 * details and never as a failing check: training and serving go on without MLflow.
 */
@Module({})
export class MlflowMirrorModule {
  static register(ctx: ServiceContext): DynamicModule {
    const mirror = createMlflowMirror(ctx.config, ctx.logger);
    if (!mirror) return { module: MlflowMirrorModule };
    return {
      module: MlflowMirrorModule,
      controllers: [MlflowMirrorHandler],
      providers: [
        { provide: MlflowMirror, useValue: mirror },
        MlflowMirrorLifecycle,
        {
          provide: 'MLFLOW_READINESS',
          inject: [Readiness],
          useFactory: (readiness: Readiness) =>
            readiness.detail('mlflow', () => ({
              tracking_uri: ctx.config.MLFLOW_TRACKING_URI,
              experiment: ctx.config.MLFLOW_EXPERIMENT_NAME,
              ...mirror.status(),
            })),
        },
      ],
    };
  }
}
