import 'reflect-metadata';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { JsonLogger } from '@app/observability';
import { startEmbeddedPlatform } from './embedded-platform';

/** `npm start`: everything in one process, no servers needed. */
async function main(): Promise<void> {
  // No servers by default: the in-process bus, and monitor documents as log lines unless Elasticsearch is asked for.
  const config = loadConfig(process.env, { TRANSPORT: process.env.TRANSPORT ?? 'memory', MONITOR_SINK: process.env.MONITOR_SINK ?? 'log' });
  const dataDir = process.env.EMBEDDED_DATA_DIR ?? join(process.cwd(), '.data', 'embedded');
  const logger = new JsonLogger('embedded', config.LOG_LEVEL);
  const platform = await startEmbeddedPlatform(config, dataDir, logger);
  logger.event('info', 'embedded platform started', { port: config.PORT, transport: config.TRANSPORT, data_dir: dataDir });
  const stop = async (signal: string) => {
    logger.event('info', 'shutting down', { signal });
    await platform.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

void main().catch((err: Error) => {
  process.stderr.write(JSON.stringify({ level: 'error', service: 'embedded', message: err.message, stack: err.stack }) + '\n');
  process.exit(1);
});
