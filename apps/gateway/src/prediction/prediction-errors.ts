import type { NamedFailedResult, PredictionFailed } from '@app/contracts';
import { HttpFailure } from '@app/runtime';

/** No worker answered in time. Carries the request id so even an unobserved one is traceable in the log. */
export class ReplyTimeoutError extends HttpFailure {
  constructor(
    readonly requestId: string,
    timeoutMs: number,
  ) {
    super(504, 'prediction_timeout', `no prediction within ${timeoutMs} ms`);
  }
}

/** The status of each reason a worker gives for not answering. */
type FailureCode = PredictionFailed['error'] | NamedFailedResult['error'];

const FAILURE_STATUS: Record<FailureCode, number> = {
  // The worker could not send what it computed.
  reply_too_large: 502,
  // The request named a model version the registry does not hold.
  unknown_model_version: 404,
  // Only seen if the reply outruns the gateway's own timer, which answers 504 first.
  deadline_exceeded: 504,
  // A named model deleted, or its rows not its features, between the gateway's check and the worker's.
  unknown_model: 404,
  invalid_instances: 400,
};

/** A worker took the request but could not answer it (e.g. its reply exceeded the broker's limit). */
export class PredictionFailedError extends HttpFailure {
  constructor(
    readonly requestId: string,
    code: FailureCode,
    reason: string,
  ) {
    super(FAILURE_STATUS[code], code, reason);
  }
}

/** The gateway is waiting on as many requests as it may hold: shed load instead of growing memory. */
export class GatewayOverloadedError extends HttpFailure {
  constructor(limit: number) {
    super(503, 'overloaded', `this gateway is waiting on ${limit} requests already (MAX_PENDING_REQUESTS); retry`);
  }
}

/** A batch whose answer the broker would refuse: refused before anything is published. */
export class ReplyTooLargeError extends HttpFailure {
  constructor(rows: number, replyBytes: number, limitBytes: number, maxRows: number) {
    super(
      413,
      'reply_too_large',
      `the reply to ${rows} rows would take up to ${replyBytes} bytes, over the broker's message limit of ${limitBytes} bytes (KAFKA_MAX_MESSAGE_BYTES); send at most ${maxRows} rows per request`,
      { limit_bytes: limitBytes, max_rows: maxRows },
    );
  }
}

/** The results this gateway holds for 202s fill ASYNC_RESULTS_MAX_ROWS: a new promise is refused rather than an old one broken. */
export class AsyncResultsFullError extends HttpFailure {
  constructor(maxRows: number, retryAfterSeconds: number) {
    super(
      503,
      'async_results_full',
      `this gateway holds the results of ${maxRows} accepted rows already (ASYNC_RESULTS_MAX_ROWS); retry after ${retryAfterSeconds} s, or ask without Prefer: respond-async`,
      {},
      retryAfterSeconds,
    );
  }
}

/** An accepted request whose result was kept for ASYNC_RESULT_TTL_SECONDS and is gone. */
export class ResultExpiredError extends HttpFailure {
  constructor(acceptedAt: number, expiredAt: number, ttlSeconds: number) {
    super(
      410,
      'result_expired',
      `this request was accepted at ${new Date(acceptedAt).toISOString()}; its result was kept for ${ttlSeconds} s (ASYNC_RESULT_TTL_SECONDS), until ${new Date(expiredAt).toISOString()}`,
    );
  }
}
