import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { createEventBus, type EventBus } from '@app/messaging';
import { JsonLogger } from '@app/observability';
import { createServiceApp, serviceContext, stopServiceApp, type ServiceContext } from '@app/runtime';
import { gatewayAppOptions } from '@apps/gateway/gateway-app';
import { GatewayModule } from '@apps/gateway/gateway.module';
import { InferenceWorkerModule } from '@apps/inference-worker/inference-worker.module';
import { MonitorModule } from '@apps/monitor/monitor.module';
import { TrainerModule } from '@apps/trainer/trainer.module';

export interface EmbeddedPlatform {
  bus: EventBus;
  gateway: INestApplication;
  /** Drains the gateway's requests (up to `timeoutMs`), then stops the other services and the bus. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * The four services in one process on one bus. Same modules, handlers and contracts as
 * the distributed mode; only the transport differs.
 */
export async function startEmbeddedPlatform(
  config: AppConfig,
  dataDir?: string,
  logger = new JsonLogger('embedded', config.LOG_LEVEL),
): Promise<EmbeddedPlatform> {
  const bus = createEventBus(config, logger, dataDir);
  await bus.connect();
  const start = (service: string, module: (ctx: ServiceContext) => Parameters<typeof createServiceApp>[1], listen: boolean) => {
    const ctx = serviceContext(service, config, bus);
    return createServiceApp(ctx, module(ctx), { ...(listen ? gatewayAppOptions(ctx) : {}), listen });
  };
  // Trainer first: on a fresh data directory it trains version 1 before anyone asks for a prediction.
  const services: INestApplication[] = [
    await start('trainer', (c) => TrainerModule.register(c), false),
    await start('inference-worker', (c) => InferenceWorkerModule.register(c), false),
    await start('monitor', (c) => MonitorModule.register(c), false),
  ];
  const gateway = await start('gateway', (c) => GatewayModule.register(c), true);
  return {
    bus,
    gateway,
    close: async (timeoutMs = 0) => {
      await stopServiceApp(gateway, timeoutMs);
      for (const app of services.reverse()) await app.close();
      await bus.close();
    },
  };
}
