import 'reflect-metadata';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { JsonLogger } from '@app/observability';
import { installProcessGuards, onShutdownSignal, startServiceTracing } from '@app/runtime';
import { DEFAULT_GRPC_PORT } from '@apps/gateway/gateway-app';
import { startEmbeddedPlatform, type EmbeddedPlatform } from './embedded-platform';

/** `npm start`: everything in one process, no servers needed. */
async function main(): Promise<void> {
  // No servers by default: the in-process bus, and monitor documents to rotating files unless Elasticsearch is asked for.
  const config = loadConfig(process.env, {
    TRANSPORT: process.env.TRANSPORT ?? 'memory',
    MONITOR_SINK: process.env.MONITOR_SINK ?? 'file',
    GRPC_PORT: process.env.GRPC_PORT ?? DEFAULT_GRPC_PORT,
  });
  const dataDir = config.EMBEDDED_DATA_DIR;
  const logger = new JsonLogger('embedded', config.LOG_LEVEL);
  installProcessGuards(logger);
  const tracing = await startServiceTracing(config, 'embedded', logger);
  const started: { platform?: EmbeddedPlatform } = {};
  onShutdownSignal(logger, async () => {
    await started.platform?.close(config.SHUTDOWN_TIMEOUT_MS);
    await tracing?.shutdown().catch((err: Error) => logger.event('warn', 'tracing shutdown failed', { error: err.message }));
    logger.event('info', 'stopped');
  });
  started.platform = await startEmbeddedPlatform(config, dataDir, logger);
  logger.event('info', 'embedded platform started', {
    host: config.HOST,
    port: config.PORT,
    grpc_host: config.GRPC_PORT ? config.GRPC_HOST : null,
    grpc_port: config.GRPC_PORT || null,
    transport: config.TRANSPORT,
    data_dir: join(dataDir),
  });
}

void main().catch((err: Error) => {
  process.stderr.write(JSON.stringify({ level: 'error', service: 'embedded', message: err.message, stack: err.stack }) + '\n');
  process.exit(1);
});
