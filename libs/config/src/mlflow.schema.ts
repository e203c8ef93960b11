import { z } from 'zod';

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

/**
 * The trainer's MLflow mirror: off unless MLFLOW_TRACKING_URI is set. The names are the ones
 * MLflow's own client reads, so one environment serves both. The token and the password may
 * come from files (`<NAME>_FILE`, see secret-files.ts).
 */
export const MLFLOW_ENV_SCHEMA = {
  MLFLOW_TRACKING_URI: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL of an MLflow tracking server' }).optional(),
  MLFLOW_EXPERIMENT_NAME: z.string().min(1).max(500).default('iris-platform'),
  MLFLOW_TRACKING_TOKEN: z.string().min(1).optional(),
  MLFLOW_TRACKING_USERNAME: z.string().min(1).optional(),
  MLFLOW_TRACKING_PASSWORD: z.string().min(1).optional(),
  /** One REST call slower than this fails and is retried: a hung server must not hold the mirror forever. */
  MLFLOW_REQUEST_TIMEOUT_MS: int(10_000, 100, 120_000),
  /** The longest wait between two attempts of a write MLflow refused or did not answer. */
  MLFLOW_RETRY_MAX_MS: int(30_000, 100, 3_600_000),
};

type MlflowConfig = z.infer<z.ZodObject<typeof MLFLOW_ENV_SCHEMA>>;

/** A credential without a server, or half of one, is a mistake: it stops the service instead of being ignored. */
export function checkMlflow(c: MlflowConfig, ctx: z.RefinementCtx): void {
  const problem = (variable: keyof MlflowConfig, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
  const basic = c.MLFLOW_TRACKING_USERNAME !== undefined || c.MLFLOW_TRACKING_PASSWORD !== undefined;
  if (!c.MLFLOW_TRACKING_URI) {
    for (const name of ['MLFLOW_TRACKING_TOKEN', 'MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD'] as const) {
      if (c[name] !== undefined) problem('MLFLOW_TRACKING_URI', `is required when ${name} is set`);
    }
  }
  if (c.MLFLOW_TRACKING_TOKEN && basic) {
    problem('MLFLOW_TRACKING_TOKEN', 'cannot be combined with MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD: choose one way to authenticate');
  } else if (basic) {
    if (!c.MLFLOW_TRACKING_USERNAME) problem('MLFLOW_TRACKING_USERNAME', 'is required with MLFLOW_TRACKING_PASSWORD');
    if (!c.MLFLOW_TRACKING_PASSWORD) problem('MLFLOW_TRACKING_PASSWORD', 'is required with MLFLOW_TRACKING_USERNAME');
  }
}
