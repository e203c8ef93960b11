import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { loadConfig, type AppConfig } from '@app/config';
import { createEventBus } from '@app/messaging';
import { JsonLogger } from '@app/observability';
import { createServiceApp, stopServiceApp, type ServiceAppOptions } from './create-service-app';
import { installProcessGuards, onShutdownSignal } from './process-guards';
import { serviceContext, type ServiceContext } from './service-context';
import { startServiceTracing } from './service-tracing';

export interface ServiceDefinition {
  service: string;
  defaultPort: number;
  /** Defaults of this service for variables the environment leaves unset (e.g. the gateway's GRPC_PORT). */
  defaults?: Record<string, string>;
  module: (ctx: ServiceContext) => Type<unknown> | DynamicModule;
  app?: (ctx: ServiceContext) => Omit<ServiceAppOptions, 'listen'>;
}

/** Every app's main.ts is one call to this: validate config, connect the bus, serve, stop gracefully. */
export async function runService(def: ServiceDefinition): Promise<void> {
  let config: AppConfig;
  try {
    const defaults = Object.entries({ ...def.defaults, PORT: String(def.defaultPort) }).map(([name, value]) => [name, process.env[name] ?? value]);
    config = loadConfig(process.env, Object.fromEntries(defaults));
  } catch (err) {
    process.stderr.write(JSON.stringify({ level: 'error', service: def.service, message: (err as Error).message }) + '\n');
    process.exit(78); // EX_CONFIG
  }
  const logger = new JsonLogger(def.service, config.LOG_LEVEL);
  installProcessGuards(logger);
  // Before the bus and the app, so the first request is traced; a collector that is down only loses spans.
  const tracing = await startServiceTracing(config, def.service, logger);
  const bus = createEventBus(config, logger);
  let app: INestApplication | undefined;
  onShutdownSignal(logger, async () => {
    const deadline = setTimeout(() => {
      logger.event('error', 'shutdown exceeded SHUTDOWN_TIMEOUT_MS: exiting', { timeout_ms: config.SHUTDOWN_TIMEOUT_MS });
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 5_000);
    deadline.unref();
    if (app) {
      const unfinished = await stopServiceApp(app, config.SHUTDOWN_TIMEOUT_MS);
      if (unfinished > 0) logger.event('warn', 'requests still in flight at shutdown', { requests: unfinished });
    }
    await bus.close();
    // The spans of the last requests: exported, or given up after the exporter's timeout.
    await tracing?.shutdown().catch((err: Error) => logger.event('warn', 'tracing shutdown failed', { error: err.message }));
    logger.event('info', 'stopped');
  });
  try {
    await bus.connect();
    const ctx = serviceContext(def.service, config, bus, logger);
    app = await createServiceApp(ctx, def.module(ctx), { ...def.app?.(ctx), listen: true });
    logger.event('info', 'service started', { host: config.HOST, port: config.PORT, transport: config.TRANSPORT, reply_partition: ctx.replyPartition });
  } catch (err) {
    logger.event('error', 'service failed to start', { error: (err as Error).message, stack: (err as Error).stack });
    await bus.close().catch(() => undefined);
    process.exit(1);
  }
}
