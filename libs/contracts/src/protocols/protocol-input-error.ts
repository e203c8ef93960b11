/**
 * A request in a standard protocol (Open Inference Protocol tensors, MLflow data frames) that
 * cannot be turned into feature rows. The message says why, for the caller; the exceptions
 * filter answers it with 400.
 */
export class ProtocolInputError extends Error {
  override readonly name = 'ProtocolInputError';
}
