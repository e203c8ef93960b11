import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error';

/** Secrets that may be given as `<NAME>_FILE`, the path of a file holding the value (a mounted Kubernetes or Docker secret). */
export const SECRET_FILE_VARIABLES = [
  'KAFKA_SASL_PASSWORD',
  'ELASTICSEARCH_PASSWORD',
  'ELASTICSEARCH_API_KEY',
  'MLFLOW_TRACKING_TOKEN',
  'MLFLOW_TRACKING_PASSWORD',
] as const;

/**
 * Replaces every `<NAME>_FILE` by `<NAME>` holding the file's content, without the trailing line
 * break an editor or `echo` leaves. Fails naming the variable when the file cannot be read or is
 * empty, or when both forms are set (which one would win is a guess nobody should have to make).
 */
export function resolveSecretFiles(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const resolved = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_FILE_VARIABLES) {
    const fileVar = `${name}_FILE`;
    const path = env[fileVar];
    delete resolved[fileVar];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${fileVar}=${JSON.stringify(path)}: cannot be combined with ${name}; set only one`);
      continue;
    }
    let value: string;
    try {
      value = readFileSync(path, 'utf8').replace(/(\r?\n)+$/, '');
    } catch (err) {
      problems.push(`${fileVar}=${JSON.stringify(path)}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      continue;
    }
    if (value === '') problems.push(`${fileVar}=${JSON.stringify(path)}: the file is empty`);
    else resolved[name] = value;
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return resolved;
}
