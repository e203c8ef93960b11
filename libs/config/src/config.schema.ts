import { hostname } from 'node:os';
import { z } from 'zod';
import { bool } from './env-values';
import { GRPC_ENV_SCHEMA } from './grpc.schema';
import { DATASET_ENV_SCHEMA, HTTP_ENV_SCHEMA } from './http.schema';
import { LIVE_ENV_SCHEMA } from './live.schema';
import { MLFLOW_ENV_SCHEMA, checkMlflow } from './mlflow.schema';
import { SECURITY_ENV_SCHEMA, checkCredentials } from './security.schema';
import { TRACING_ENV_SCHEMA } from './tracing.schema';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);
const num = (def: number, min: number, max: number) => z.coerce.number().min(min).max(max).default(def);

/**
 * Every environment variable the services read, with its default. The table of
 * docs/configuration.md is this list; test/docs/configuration.spec.ts keeps them in step.
 */
export const ENV_SCHEMA = {
  TRANSPORT: z.enum(['kafka', 'memory']).default('kafka'),
  PORT: int(3000, 0, 65535),
  KAFKA_BROKERS: z.string().min(1).default('localhost:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).default('iris-platform'),
  /** Put before every topic and consumer group name; Kafka allows these characters in a topic name, and at most 249 of them. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'only letters, digits, ".", "_" and "-" (what a Kafka topic name may hold)')
    .max(200)
    .default(''),
  INSTANCE_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  CODE_VERSION: z.string().min(1).default('dev'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  PREDICT_TIMEOUT_MS: int(5000, 100, 120_000),
  KAFKA_SEND_TIMEOUT_MS: int(2000, 100, 60_000),
  KAFKA_MAX_MESSAGE_BYTES: int(1_048_576, 10_000, 100 * 1024 * 1024),
  KAFKA_COMMIT_INTERVAL_MS: int(500, 10, 60_000),
  KAFKA_MEMBERSHIP_GRACE_MS: int(30_000, 1_000, 600_000),
  KAFKA_FETCH_MAX_WAIT_MS: int(1000, 10, 10_000),
  REPLY_PARTITION: z.coerce.number().int().min(0).optional(),
  MAX_PENDING_REQUESTS: int(10_000, 1, 1_000_000),
  /** A 202's result is kept this long after the request was accepted, whatever other callers send; then its lookup answers 410. */
  ASYNC_RESULT_TTL_SECONDS: int(300, 1, 86_400),
  /** Rows of accepted (202) requests one gateway holds results for; past it, async requests are refused with 503 and Retry-After. */
  ASYNC_RESULTS_MAX_ROWS: int(20_000, 1, 10_000_000),
  /**
   * Concurrent prediction requests travel in one Kafka record. While a record is in flight the
   * next one gathers for at most this long (µs); with none in flight a request leaves at the end
   * of its event-loop turn. 0: never wait for the record in flight.
   */
  PREDICT_BATCH_MAX_DELAY_US: int(2_000, 0, 1_000_000),
  /** A batch record closes at this many rows (a request larger than this travels alone). */
  PREDICT_BATCH_MAX_ROWS: int(1_000, 1, 100_000),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000),
  EMBEDDED_TOPIC_RETENTION_BYTES: int(8 * 1024 * 1024, 1024 * 1024),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/)
    .default('1mb'),
  MIN_ACCURACY: num(0.8, 0, 1),
  MAX_REGRESSION: num(0.02, 0, 1),
  MONITOR_SINK: z.enum(['elasticsearch', 'file']).default('elasticsearch'),
  EMBEDDED_DATA_DIR: z.string().min(1).default('.data/embedded'),
  MONITOR_FILE_MAX_BYTES: int(64 * 1024 * 1024, 1024),
  MONITOR_FILE_KEEP: int(3, 1, 100),
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
  ...HTTP_ENV_SCHEMA,
  ...GRPC_ENV_SCHEMA,
  ...DATASET_ENV_SCHEMA,
  ...LIVE_ENV_SCHEMA,
  ...MLFLOW_ENV_SCHEMA,
  ...TRACING_ENV_SCHEMA,
};

export const configSchema = z
  .object(ENV_SCHEMA)
  .superRefine(checkCredentials)
  .superRefine(checkMlflow)
  .superRefine((c, ctx) => {
    // A send must give up before the reply deadline, or a dead broker turns every 503 into a 504.
    if (c.HTTP_HEADERS_TIMEOUT_MS >= c.HTTP_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['HTTP_HEADERS_TIMEOUT_MS'], message: `must be below HTTP_REQUEST_TIMEOUT_MS (${c.HTTP_REQUEST_TIMEOUT_MS})` });
    }
    if (c.HTTP_KEEPALIVE_TIMEOUT_MS >= c.HTTP_HEADERS_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['HTTP_KEEPALIVE_TIMEOUT_MS'], message: `must be below HTTP_HEADERS_TIMEOUT_MS (${c.HTTP_HEADERS_TIMEOUT_MS})` });
    }
    if (c.KAFKA_SEND_TIMEOUT_MS >= c.PREDICT_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['KAFKA_SEND_TIMEOUT_MS'], message: `must be below PREDICT_TIMEOUT_MS (${c.PREDICT_TIMEOUT_MS})` });
    }
  });
export type AppConfig = z.infer<typeof configSchema>;
