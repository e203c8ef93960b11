import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '@app/config';
import { JsonLogger } from '@app/observability';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { eventually } from './http';

/**
 * `npm start`'s platform for one spec: the in-process bus, documents to files in a fresh data
 * directory, an ephemeral port, no log output; `env` adds or overrides settings. Resolves once
 * the gateway answers /ready.
 */
export async function startTestPlatform(
  name: string,
  env: Record<string, string> = {},
): Promise<{ platform: EmbeddedPlatform; http: ReturnType<typeof request> }> {
  const config = loadConfig({
    TRANSPORT: 'memory',
    MONITOR_SINK: 'file',
    EMBEDDED_DATA_DIR: mkdtempSync(join(tmpdir(), `${name}-`)),
    PORT: '0',
    LOG_LEVEL: 'error',
    ...env,
  });
  const platform = await startEmbeddedPlatform(config, undefined, new JsonLogger('test', 'error', () => undefined));
  const http = request(platform.gateway.getHttpServer());
  await eventually(async () => ((await http.get('/ready')).status === 200 ? true : undefined), 10_000, 'the embedded platform to be ready');
  return { platform, http };
}
