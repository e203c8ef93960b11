import { configSchema, type AppConfig } from './config.schema';
import { ConfigError } from './config-error';
import { resolveSecretFiles } from './secret-files';
import { isSecretVariable } from './security.schema';

export { ConfigError };

/**
 * Validates the environment once at start-up. Fails fast naming every bad variable,
 * because a service that starts with a typo in its config fails later and obscurely.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<string, string>> = {}): AppConfig {
  const source = resolveSecretFiles({ ...env, ...overrides });
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${describeVariable(String(i.path[0]), cleaned[String(i.path[0])])}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

// A secret's value is never echoed: start-up errors end up in logs.
function describeVariable(name: string, value: string | undefined): string {
  if (value === undefined) return `${name} (not set)`;
  return `${name}=${isSecretVariable(name) ? '[REDACTED]' : JSON.stringify(value)}`;
}
