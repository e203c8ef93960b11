import { join } from 'node:path';
import { nodeFlags } from '../lib/node-flags';

/** One process the supervisor keeps running. */
export interface ServiceSpec {
  name: string;
  /** Built entry point, relative to the repository root. */
  entry: string;
  /** Node's own flags before the entry point (the app's heap limits, scripts/lib/node-flags.ts). */
  nodeArgs: readonly string[];
  port: number;
  env: Record<string, string>;
  /** At the first start, wait for GET /ready before starting the services after it (compose's `service_healthy`). */
  waitReady: boolean;
}

export interface StackDefinition {
  services: ServiceSpec[];
  /** How long a service may take to stop after SIGTERM before it is killed. */
  stopTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name}=${raw} must be an integer from ${min} to ${max}`);
  return value;
}

/**
 * The local stack as compose defines it: trainer (ready first, it registers version 1),
 * WORKERS inference workers, monitor, gateway. Every port comes from the environment so a
 * second stack (e.g. the fault suite's) runs beside the default one.
 */
export function stackServices(env: Env): StackDefinition {
  const workers = intVar(env, 'WORKERS', 2, 1, 64);
  const gatewayPort = intVar(env, 'PORT', 3000, 1, 65535);
  const trainerPort = intVar(env, 'TRAINER_PORT', 3002, 1, 65535);
  const monitorPort = intVar(env, 'MONITOR_PORT', 3003, 1, 65535);
  const workerPortBase = intVar(env, 'WORKER_PORT_BASE', 3010, 1, 65535 - workers);
  const shutdownTimeoutMs = intVar(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000);
  const shared = {
    KAFKA_BROKERS: env.KAFKA_BROKERS || `localhost:${intVar(env, 'KAFKA_PORT', 9092, 1, 65535)}`,
    ELASTICSEARCH_URL: env.ELASTICSEARCH_URL || `http://localhost:${intVar(env, 'ES_PORT', 9200, 1, 65535)}`,
  };
  const service = (name: string, app: string, port: number, waitReady = false): ServiceSpec => ({
    name,
    entry: join('dist', 'apps', app, 'src', 'main.js'),
    nodeArgs: nodeFlags(app),
    port,
    env: { ...shared, PORT: String(port), INSTANCE_ID: name },
    waitReady,
  });
  const services = [
    service('trainer', 'trainer', trainerPort, true),
    ...Array.from({ length: workers }, (_, i) => service(`inference-worker-${i + 1}`, 'inference-worker', workerPortBase + i + 1)),
    service('monitor', 'monitor', monitorPort),
    service('gateway', 'gateway', gatewayPort),
  ];
  const ports = services.map((s) => s.port);
  const clash = ports.find((p, i) => ports.indexOf(p) !== i);
  if (clash !== undefined) throw new RangeError(`two services would listen on port ${clash}: set PORT, TRAINER_PORT, MONITOR_PORT and WORKER_PORT_BASE apart`);
  // The services give themselves SHUTDOWN_TIMEOUT_MS to drain and 5 s more before forcing their exit.
  return { services, stopTimeoutMs: shutdownTimeoutMs + 7_000 };
}
