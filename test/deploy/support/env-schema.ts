import { ENV_SCHEMA } from '@app/config';

/** Every variable the services read, from the one schema that validates them at start-up. */
export const CONFIG_VARS = Object.keys(ENV_SCHEMA).sort();

export function isConfigVar(name: string): boolean {
  return Object.hasOwn(ENV_SCHEMA, name);
}

/**
 * What a service uses when the variable is unset, as the string a deployment file would write:
 * '' for an optional variable, undefined for a required one.
 */
export function schemaDefault(name: string): string | undefined {
  const result = (ENV_SCHEMA as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>)[name].safeParse(undefined);
  if (!result.success) return undefined;
  return result.data === undefined ? '' : String(result.data);
}
