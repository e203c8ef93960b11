import type { DynamicModule, Type } from '@nestjs/common';
import { loadConfig, type AppConfig } from '@app/config';
import { EventPublisher, createEventBus } from '@app/messaging';
import { JsonLogger } from '@app/observability';
import { createServiceApp } from './create-service-app';
import type { ServiceContext } from './service-context';

export interface ServiceDefinition {
  service: string;
  defaultPort: number;
  module: (ctx: ServiceContext) => Type<unknown> | DynamicModule;
  openApiTitle?: string;
}

/** Every app's main.ts is one call to this: validate config, connect the bus, serve. */
export async function runService(def: ServiceDefinition): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env, { PORT: process.env.PORT ?? String(def.defaultPort) });
  } catch (err) {
    process.stderr.write(JSON.stringify({ level: 'error', service: def.service, message: (err as Error).message }) + '\n');
    process.exit(78); // EX_CONFIG
  }
  const logger = new JsonLogger(def.service, config.LOG_LEVEL);
  const bus = createEventBus(config, logger);
  const ctx: ServiceContext = { service: def.service, config, logger, bus, publisher: new EventPublisher(bus, `${def.service}/${config.INSTANCE_ID}`) };
  try {
    await bus.connect();
    const app = await createServiceApp(ctx, def.module(ctx), { listen: true, openApiTitle: def.openApiTitle });
    logger.event('info', 'service started', { port: config.PORT, transport: config.TRANSPORT });
    const stop = async (signal: string) => {
      logger.event('info', 'shutting down', { signal });
      await app.close();
      await bus.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  } catch (err) {
    logger.event('error', 'service failed to start', { error: (err as Error).message, stack: (err as Error).stack });
    await bus.close().catch(() => undefined);
    process.exit(1);
  }
}
