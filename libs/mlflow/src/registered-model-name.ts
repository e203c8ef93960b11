/** The one model the platform serves today. */
export const DEFAULT_MODEL = 'iris';

/**
 * The MLflow registered model a record belongs to. Every record is the default model's until
 * records carry a model name; then this returns that name and the mirror follows.
 */
export function registeredModelName(_record: object): string {
  return DEFAULT_MODEL;
}
