import { z } from 'zod';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);
const address = () => z.union([z.ipv4(), z.ipv6()]);

/** Who may call what, and how much: API keys, rate limits, HTTP timeouts and connection caps, CORS. */
export const HTTP_ENV_SCHEMA = {
  /** The address HTTP listens on: this host only by default; the image, compose and the chart set 0.0.0.0. */
  HOST: address().default('127.0.0.1'),
  /** Comma-separated keys; when set, every route but /health and /ready needs one of them (or an admin key). */
  API_KEYS: z.string().default(''),
  /** Comma-separated keys for admin routes (retrain, promote, …); when empty, admin routes answer loopback clients only. */
  ADMIN_API_KEYS: z.string().default(''),
  /** Requests per RATE_LIMIT_WINDOW_SECONDS per API key (or per client address without one); 0 turns limiting off. */
  RATE_LIMIT: int(100_000, 0),
  RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 3600),
  /** Wrong API keys one client address may present per AUTH_FAILURE_WINDOW_SECONDS (HTTP and gRPC together); past it every key it sends is refused (429) until the window ends. 0 turns this off. */
  AUTH_FAILURE_LIMIT: int(20, 0, 1_000_000),
  AUTH_FAILURE_WINDOW_SECONDS: int(60, 1, 86_400),
  /** A client must send its request headers within this, and the whole request within HTTP_REQUEST_TIMEOUT_MS. */
  HTTP_HEADERS_TIMEOUT_MS: int(5_000, 100, 120_000),
  HTTP_REQUEST_TIMEOUT_MS: int(10_000, 100, 600_000),
  /** Below the headers timeout: a kept-alive connection must be closed idle before a new request on it could be cut off. */
  HTTP_KEEPALIVE_TIMEOUT_MS: int(4_000, 100, 600_000),
  /** Open connections one process accepts; more are refused at once. */
  HTTP_MAX_CONNECTIONS: int(2_000, 1, 1_000_000),
  /** Open connections one client address (an IPv6 /64) may hold; more are refused at once, so one client cannot take them all. */
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: int(256, 1, 1_000_000),
  /** A body refused as too large is read and discarded up to this many bytes, so the client can finish sending and read the 413; past it the connection is cut. */
  HTTP_DISCARD_MAX_BYTES: int(16 * 1024 * 1024, 0, 1024 * 1024 * 1024),
  /** … and for at most this long. */
  HTTP_DISCARD_TIMEOUT_MS: int(5_000, 0, 600_000),
  /**
   * The model POST /predict, /predict/batch and /invocations serve: the built-in iris model, or a
   * named model (created at runtime; those routes answer 404 until it exists). iris keeps its own
   * routes (/models/iris/…) either way.
   */
  DEFAULT_MODEL: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/, { message: 'a model name: a lowercase letter, then up to 62 lowercase letters, digits or hyphens' })
    .default('iris'),
  /** Comma-separated origins allowed to call the API from a browser; empty: CORS off. */
  CORS_ORIGINS: z.string().default(''),
};

/** Training data: where files may come from, how large, and the trusted set every candidate must also pass. */
export const DATASET_ENV_SCHEMA = {
  /** CSV retrains read only files below this directory (resolved with realpath). */
  DATA_DIR: z.string().min(1).default('data'),
  DATASET_MAX_BYTES: int(10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  /** `iris` (the bundled data) or a CSV path inside DATA_DIR: the reference set requests cannot change. */
  REFERENCE_DATASET: z.string().min(1).default('iris'),
  /** A candidate may be at most this much less accurate than the current model on the reference set. */
  REFERENCE_MAX_REGRESSION: z.coerce.number().min(0).max(1).default(0.02),
  /** Smallest holdout a candidate is judged on. */
  MIN_HOLDOUT_ROWS: int(30, 1),
};
