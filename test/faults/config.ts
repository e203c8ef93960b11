import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root, from source (test/faults) or from the build (dist/test/faults). */
export const ROOT = (() => {
  let dir = __dirname;
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'stack.sh')))) {
    if (dir === dirname(dir)) throw new Error(`no repository root above ${__dirname}`);
    dir = dirname(dir);
  }
  return dir;
})();

/**
 * The suite's own stack, on ports apart from the development defaults (Kafka 9092,
 * Elasticsearch 9200, services 3000-3020) so it runs beside them, and below Linux's ephemeral
 * range (32768-60999): the suite restarts the servers it kills, and a port in that range can be
 * taken meanwhile as the local port of some outgoing connection (a full CI run lost its broker
 * that way: "failed to bind to 127.0.0.1:39094: Address already in use"). Each can be
 * overridden with the variable stack.sh and the infra scripts read.
 */
export const DEFAULTS: Record<string, string> = {
  KAFKA_PORT: '29392',
  KAFKA_CONTROLLER_PORT: '29393',
  KAFKA_SASL_SSL_PORT: '29394',
  ES_PORT: '29320',
  PORT: '3400',
  TRAINER_PORT: '3402',
  MONITOR_PORT: '3403',
  WORKER_PORT_BASE: '3435',
  WORKERS: '2',
};

/** The environment of every script and service the suite starts. */
export function suiteEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...env, NODE_OPTIONS: '' };
  for (const [name, value] of Object.entries(DEFAULTS)) merged[name] = env[name] || value;
  // Derived from the ports above, never inherited: the suite kills its broker, so it must never point at somebody else's.
  merged.KAFKA_BROKERS = `localhost:${merged.KAFKA_PORT}`;
  merged.ELASTICSEARCH_URL = `http://localhost:${merged.ES_PORT}`;
  // The trainer reads CSV retrains only below DATA_DIR: the suite's own, not the checkout's data/.
  merged.DATA_DIR = join(ROOT, '.infra', 'faults', 'data');
  return merged;
}

export interface SuiteConfig {
  env: NodeJS.ProcessEnv;
  gatewayUrl: string;
  elasticsearchUrl: string;
  /** The monitor's daily prediction indices, all of them. */
  predictionIndices: string;
  kafkaBroker: string;
  /** Service name → HTTP port, in stack order. */
  services: Array<{ name: string; port: number }>;
  stackDir: string;
  kafkaPidFile: string;
}

export function suiteConfig(env = suiteEnv()): SuiteConfig {
  const workers = Number(env.WORKERS);
  return {
    env,
    gatewayUrl: `http://127.0.0.1:${env.PORT}`,
    elasticsearchUrl: env.ELASTICSEARCH_URL!,
    predictionIndices: `${env.ES_INDEX_PREFIX || 'mlops'}-predictions-*`,
    kafkaBroker: env.KAFKA_BROKERS!,
    services: [
      { name: 'trainer', port: Number(env.TRAINER_PORT) },
      ...Array.from({ length: workers }, (_, i) => ({ name: `inference-worker-${i + 1}`, port: Number(env.WORKER_PORT_BASE) + i + 1 })),
      { name: 'monitor', port: Number(env.MONITOR_PORT) },
      { name: 'gateway', port: Number(env.PORT) },
    ],
    stackDir: join(ROOT, '.infra', 'stack'),
    kafkaPidFile: join(ROOT, '.infra', 'kafka', 'kafka.pid'),
  };
}
