import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, ServiceProcess } from '../scripts/lib/service-process';
import type { BenchConfig } from './config';
import type { Cleanup } from './cleanup';

/** The bench's own state, apart from `npm run infra:up`'s, so a dev stack in the same checkout is never touched. */
export const BENCH_STATE = join(REPO_ROOT, '.infra', 'bench');
export const BENCH_LOGS = join(BENCH_STATE, 'logs');
/**
 * The rate limiter stays on, as users run it, so its cost is in the figures; the load generator
 * is one client at one address, so the limit is set past anything it can send.
 */
export const BENCH_RATE_LIMIT = '1000000000';

interface InfraServer {
  name: 'kafka' | 'elasticsearch';
  script: string;
  env: Record<string, string>;
  pidFile: string;
  /** Text only our server's command line holds (guards against a reused pid). */
  marker: string;
}

function infraServers(cfg: BenchConfig): InfraServer[] {
  const kafkaState = join(BENCH_STATE, 'kafka');
  const esState = join(BENCH_STATE, 'elasticsearch');
  return [
    {
      name: 'kafka',
      script: 'scripts/infra/kafka.sh',
      env: {
        KAFKA_PORT: String(cfg.kafkaPort),
        KAFKA_CONTROLLER_PORT: String(cfg.kafkaControllerPort),
        KAFKA_SASL_SSL_PORT: String(cfg.kafkaSaslSslPort),
        KAFKA_STATE_DIR: kafkaState,
      },
      pidFile: join(kafkaState, 'kafka.pid'),
      marker: join(kafkaState, 'server.properties'),
    },
    {
      name: 'elasticsearch',
      script: 'scripts/infra/elasticsearch.sh',
      env: { ES_PORT: String(cfg.esPort), ES_STATE_DIR: esState },
      pidFile: join(esState, 'es.pid'),
      marker: `-Des.path.home=${join(esState, 'home')}`,
    },
  ];
}

function runScript(script: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(REPO_ROOT, script), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} ${args.join(' ')} exited with ${code}`))));
  });
}

/** The pid in the server's pid file when that process is alive and is our server, else null. */
function ourPid(server: InfraServer): number | null {
  if (!existsSync(server.pidFile)) return null;
  const pid = Number(readFileSync(server.pidFile, 'utf8').trim());
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(server.marker) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Kafka and Elasticsearch through scripts/infra/*.sh on the bench's ports and state directories.
 * Servers the bench finds already running from its own state (an interrupted earlier run) are
 * used and left running; a server on the port that is not the bench's is refused, because its
 * CPU could not be measured and its load would not be ours.
 */
export async function startInfra(cfg: BenchConfig, cleanup: Cleanup): Promise<Record<'kafka' | 'elasticsearch', number>> {
  const pids = {} as Record<'kafka' | 'elasticsearch', number>;
  await Promise.all(
    infraServers(cfg).map(async (server) => {
      const before = ourPid(server);
      await runScript(server.script, ['up'], server.env);
      const pid = ourPid(server);
      if (pid === null) {
        throw new Error(`${server.name}: something that is not the bench's server answers on its port; set ${Object.keys(server.env)[0]} to a free port`);
      }
      if (before === null) cleanup.add(server.name, () => runScript(server.script, ['down'], server.env));
      else console.log(`[bench] ${server.name} was already running from .infra/bench (pid ${pid}): using it and leaving it running`);
      pids[server.name] = pid;
    }),
  );
  return pids;
}

export interface Stack {
  gateway: ServiceProcess;
  services: ServiceProcess[];
  kafkaBrokers: string;
  esUrl: string;
}

/** trainer → (its first model) → workers, monitor, gateway: separate processes, as `npm run stack:up` runs them. */
export async function startStack(cfg: BenchConfig, codeVersion: string, cleanup: Cleanup): Promise<Stack> {
  const kafkaBrokers = `127.0.0.1:${cfg.kafkaPort}`;
  const esUrl = `http://127.0.0.1:${cfg.esPort}`;
  const env = { KAFKA_BROKERS: kafkaBrokers, ELASTICSEARCH_URL: esUrl, MONITOR_SINK: 'elasticsearch', CODE_VERSION: codeVersion, RATE_LIMIT: BENCH_RATE_LIMIT };
  const services: ServiceProcess[] = [];
  const start = (name: string, app: string, port: number) => {
    const s = ServiceProcess.start(name, app, port, env, BENCH_LOGS);
    services.push(s);
    cleanup.add(name, () => s.stop());
    return s;
  };
  const trainer = start('trainer', 'trainer', cfg.portBase + 1);
  await trainer.waitReady(120_000);
  for (let i = 1; i <= cfg.workers; i++) start(`inference-worker-${i}`, 'inference-worker', cfg.portBase + 10 + i);
  start('monitor', 'monitor', cfg.portBase + 2);
  const gateway = start('gateway', 'gateway', cfg.portBase);
  await Promise.all(services.map((s) => s.waitReady(120_000)));
  return { gateway, services, kafkaBrokers, esUrl };
}

/** `npm start`'s process: the four services over the in-process bus, monitor documents as log lines (its defaults). */
export async function startEmbedded(cfg: BenchConfig, cleanup: Cleanup): Promise<ServiceProcess> {
  const embedded = ServiceProcess.start(
    'embedded',
    'embedded',
    cfg.portBase + 20,
    { EMBEDDED_DATA_DIR: join(BENCH_STATE, 'embedded-data'), RATE_LIMIT: BENCH_RATE_LIMIT },
    BENCH_LOGS,
  );
  cleanup.add('embedded', () => embedded.stop());
  await embedded.waitReady(120_000);
  return embedded;
}
