import { DEFAULT_MODEL } from '@app/contracts';

export { DEFAULT_MODEL };

/**
 * The MLflow registered model a record belongs to: a named model's records (versions, routing,
 * live figures) carry its name, and it is registered under that name; the default model's carry
 * none and go to `iris`.
 */
export function registeredModelName(record: object): string {
  return (record as { model_name?: string }).model_name ?? DEFAULT_MODEL;
}
