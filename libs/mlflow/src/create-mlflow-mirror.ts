import type { AppConfig } from '@app/config';
import type { JsonLogger } from '@app/observability';
import type { MlflowAuth } from './mlflow-auth';
import { MlflowClient } from './mlflow-client';
import { MlflowMirror } from './mlflow-mirror';
import { MlflowWriter } from './mlflow-writer';

/** First wait after a failed write; later ones double up to MLFLOW_RETRY_MAX_MS. */
const RETRY_BASE_MS = 500;

/** The mirror the configuration asks for, or null when MLFLOW_TRACKING_URI is unset (the mirror is off). */
export function createMlflowMirror(config: AppConfig, logger: JsonLogger): MlflowMirror | null {
  if (!config.MLFLOW_TRACKING_URI) return null;
  const auth: MlflowAuth = config.MLFLOW_TRACKING_TOKEN
    ? { token: config.MLFLOW_TRACKING_TOKEN }
    : config.MLFLOW_TRACKING_USERNAME && config.MLFLOW_TRACKING_PASSWORD
      ? { username: config.MLFLOW_TRACKING_USERNAME, password: config.MLFLOW_TRACKING_PASSWORD }
      : null;
  const client = new MlflowClient({ trackingUri: config.MLFLOW_TRACKING_URI, auth, timeoutMs: config.MLFLOW_REQUEST_TIMEOUT_MS });
  const writer = new MlflowWriter(client, config.MLFLOW_EXPERIMENT_NAME, (message, fields) => logger.event('warn', message, fields));
  return new MlflowMirror(writer, logger, { baseMs: Math.min(RETRY_BASE_MS, config.MLFLOW_RETRY_MAX_MS), maxMs: config.MLFLOW_RETRY_MAX_MS });
}
