/**
 * A call MLflow did not carry out. `retryable` says whether the same call may succeed later:
 * the server down, slow, overloaded or refusing our credentials (an operator can fix those
 * without touching the records) is worth waiting for; a request MLflow calls invalid is not.
 */
export class MlflowError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null = null,
    readonly errorCode: string | null = null,
  ) {
    super(message);
    this.name = 'MlflowError';
  }
}

/** Statuses another attempt may get past: timeouts, throttling, server errors, and credentials an operator may still fix. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 401 || status === 403 || status === 408 || status === 429;
}
