import { configSchema, type AppConfig } from './config.schema';

export class ConfigError extends Error {}

/**
 * Validates the environment once at start-up. Fails fast naming every bad variable,
 * because a service that starts with a typo in its config fails later and obscurely.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<string, string>> = {}): AppConfig {
  const source = { ...env, ...overrides };
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}=${JSON.stringify(source[String(i.path[0])])}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}
