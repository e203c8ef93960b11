import { z } from 'zod';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);

/** Who may call what, and how much: API keys, rate limits, HTTP timeouts and connection caps, CORS. */
export const HTTP_ENV_SCHEMA = {
  /** Comma-separated keys; when set, every route but /health and /ready needs one of them (or an admin key). */
  API_KEYS: z.string().default(''),
  /** Comma-separated keys for admin routes (retrain, promote, …); when empty, admin routes answer loopback clients only. */
  ADMIN_API_KEYS: z.string().default(''),
  /** Requests per RATE_LIMIT_WINDOW_SECONDS per API key (or per client address without one); 0 turns limiting off. */
  RATE_LIMIT: int(100_000, 0),
  RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 3600),
  /** A client must send its request headers within this, and the whole request within HTTP_REQUEST_TIMEOUT_MS. */
  HTTP_HEADERS_TIMEOUT_MS: int(5_000, 100, 120_000),
  HTTP_REQUEST_TIMEOUT_MS: int(10_000, 100, 600_000),
  /** Below the headers timeout: a kept-alive connection must be closed idle before a new request on it could be cut off. */
  HTTP_KEEPALIVE_TIMEOUT_MS: int(4_000, 100, 600_000),
  /** Open connections one process accepts; more are refused at once. */
  HTTP_MAX_CONNECTIONS: int(2_000, 1, 1_000_000),
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
