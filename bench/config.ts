/** Everything `npm run bench` can be told through the environment; bench/README.md lists it. */
export interface BenchConfig {
  quick: boolean;
  /** Seconds of each measured run. */
  durationS: number;
  /** Seconds of load before measuring, per target (the first runs after a start are 2-3x slower). */
  warmupS: number;
  /** Rounds per run kind; ours and the baseline alternate, medians are reported. */
  rounds: number;
  connections: number[];
  /** The open-loop rate as a fraction of the baseline's median req/s at 16 connections. */
  openRateFraction: number;
  /** An absolute open-loop rate (req/s) instead of the fraction. */
  openRate: number | null;
  idleS: number;
  /** Seconds after the load stops at which the monitor's lag is read a second time. */
  lagFollowupS: number;
  /** Longest wait for the monitor to catch up before Elasticsearch is counted. */
  drainTimeoutS: number;
  workers: number;
  kafkaPort: number;
  kafkaControllerPort: number;
  kafkaSaslSslPort: number;
  esPort: number;
  /** Gateway, trainer, monitor at +0..+2, workers from +10, embedded +20, baseline +30. */
  portBase: number;
  python: string;
  embedded: boolean;
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return v;
}

function num(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return v;
}

function flag(env: NodeJS.ProcessEnv, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new Error(`${name} must be 1/true or 0/false, got "${raw}"`);
}

export function loadBenchConfig(env: NodeJS.ProcessEnv): BenchConfig {
  const quick = flag(env, 'BENCH_QUICK', false);
  const connectionsRaw = env.BENCH_CONNECTIONS || '1,16,64';
  const connections = connectionsRaw.split(',').map((c) => Number(c.trim()));
  if (connections.some((c) => !Number.isInteger(c) || c < 1 || c > 1024)) {
    throw new Error(`BENCH_CONNECTIONS must be a comma-separated list of integers from 1 to 1024, got "${connectionsRaw}"`);
  }
  const openRate = env.BENCH_OPEN_RATE ? num(env, 'BENCH_OPEN_RATE', 0, 1, 1_000_000) : null;
  return {
    quick,
    durationS: int(env, 'BENCH_DURATION', quick ? 3 : 10, 1, 3600),
    warmupS: int(env, 'BENCH_WARMUP', quick ? 5 : 15, 0, 3600),
    rounds: int(env, 'BENCH_ROUNDS', quick ? 1 : 3, 1, 100),
    connections: [...new Set(connections)],
    openRateFraction: num(env, 'BENCH_OPEN_RATE_FRACTION', 0.5, 0.01, 10),
    openRate,
    idleS: int(env, 'BENCH_IDLE', quick ? 5 : 10, 1, 600),
    lagFollowupS: int(env, 'BENCH_LAG_FOLLOWUP', 5, 0, 600),
    drainTimeoutS: int(env, 'BENCH_DRAIN_TIMEOUT', 60, 0, 3600),
    // What `npm run stack:up` and the compose file start by default, so the bench measures what users run.
    workers: int(env, 'BENCH_WORKERS', 2, 1, 9),
    kafkaPort: int(env, 'KAFKA_PORT', 19092, 1, 65535),
    kafkaControllerPort: int(env, 'KAFKA_CONTROLLER_PORT', 19093, 1, 65535),
    kafkaSaslSslPort: int(env, 'KAFKA_SASL_SSL_PORT', 19094, 1, 65535),
    esPort: int(env, 'ES_PORT', 19200, 1, 65535),
    portBase: int(env, 'BENCH_PORT_BASE', 3200, 1, 65535 - 40),
    python: env.BENCH_PYTHON || 'python3',
    embedded: flag(env, 'BENCH_EMBEDDED', true),
  };
}
