import { hostname } from 'node:os';
import { z } from 'zod';
import { bool } from './env-values';
import { SECURITY_ENV_SCHEMA, checkCredentials } from './security.schema';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);
const num = (def: number, min: number, max: number) => z.coerce.number().min(min).max(max).default(def);

/**
 * Every environment variable the services read, with its default. README's configuration
 * table is this list; keep them in step.
 */
export const ENV_SCHEMA = {
  TRANSPORT: z.enum(['kafka', 'memory']).default('kafka'),
  PORT: int(3000, 0, 65535),
  KAFKA_BROKERS: z.string().min(1).default('localhost:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).default('iris-platform'),
  INSTANCE_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  CODE_VERSION: z.string().min(1).default('dev'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  PREDICT_TIMEOUT_MS: int(5000, 100, 120_000),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/)
    .default('1mb'),
  MIN_ACCURACY: num(0.8, 0, 1),
  MAX_REGRESSION: num(0.02, 0, 1),
  MONITOR_SINK: z.enum(['elasticsearch', 'log']).default('elasticsearch'),
  ELASTICSEARCH_URL: z.url().default('http://localhost:9200'),
  ES_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('mlops'),
  STATS_WINDOW_SIZE: int(500, 10),
  STATS_WINDOW_SECONDS: int(900, 1),
  STATS_PUBLISH_SECONDS: int(30, 1),
  DRIFT_PSI_THRESHOLD: num(0.25, 0, 100),
  DRIFT_KS_PVALUE: num(0.001, 0, 1),
  DRIFT_MIN_WINDOW: int(200, 10),
  DRIFT_CHECK_EVERY: int(50, 1),
  DRIFT_AUTO_RETRAIN: bool(false),
  DRIFT_RETRAIN_COOLDOWN_SECONDS: int(3600, 0),
  ...SECURITY_ENV_SCHEMA,
};

export const configSchema = z.object(ENV_SCHEMA).superRefine(checkCredentials);
export type AppConfig = z.infer<typeof configSchema>;
