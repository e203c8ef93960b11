/**
 * A failure that has an HTTP meaning. Services throw these from anywhere; the exceptions filter
 * is the one place that turns them into a status and the error body.
 */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra fields for the error body, e.g. the limit a request broke. */
    readonly extra: Record<string, unknown> = {},
    /** Sent as Retry-After (HTTP): when trying again may succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
