import 'reflect-metadata';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@app/config';
import { EventPublisher, createEventBus } from '@app/messaging';
import { JsonLogger } from '@app/observability';
import { createServiceApp, type ServiceContext } from '@app/runtime';
import { GatewayModule } from '../../gateway/src/gateway.module';
import { InferenceWorkerModule } from '../../inference-worker/src/inference-worker.module';
import { MonitorModule } from '../../monitor/src/monitor.module';
import { TrainerModule } from '../../trainer/src/trainer.module';

/**
 * `npm start`: the four services in one process over the in-process bus. Same modules,
 * handlers and contracts as the distributed mode; only the transport differs.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, { TRANSPORT: process.env.TRANSPORT ?? 'memory' });
  const dataDir = process.env.EMBEDDED_DATA_DIR ?? join(process.cwd(), '.data', 'embedded');
  const rootLogger = new JsonLogger('embedded', config.LOG_LEVEL);
  const bus = createEventBus(config, rootLogger, dataDir);
  await bus.connect();
  const context = (service: string): ServiceContext => ({
    service,
    config,
    logger: new JsonLogger(service, config.LOG_LEVEL),
    bus,
    publisher: new EventPublisher(bus, `${service}/${config.INSTANCE_ID}`),
  });
  const apps: INestApplication[] = [];
  // Trainer first: on a fresh data directory it trains version 1 before anyone asks for a prediction.
  apps.push(await createServiceApp(context('trainer'), TrainerModule.register(context('trainer')), { listen: false }));
  apps.push(await createServiceApp(context('inference-worker'), InferenceWorkerModule.register(context('inference-worker')), { listen: false }));
  apps.push(await createServiceApp(context('monitor'), MonitorModule.register(context('monitor')), { listen: false }));
  apps.push(await createServiceApp(context('gateway'), GatewayModule.register(context('gateway')), { listen: true, openApiTitle: 'Iris inference gateway' }));
  rootLogger.event('info', 'embedded platform started', { port: config.PORT, transport: config.TRANSPORT, data_dir: dataDir });
  const stop = async (signal: string) => {
    rootLogger.event('info', 'shutting down', { signal });
    for (const app of apps.reverse()) await app.close();
    await bus.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

void main().catch((err: Error) => {
  process.stderr.write(JSON.stringify({ level: 'error', service: 'embedded', message: err.message, stack: err.stack }) + '\n');
  process.exit(1);
});
