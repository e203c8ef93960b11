import { errorMessageOf, type ErrorBodyStyle } from '@app/runtime';

/**
 * The Open Inference Protocol's error body, `{"error": "<message>"}`, for every failure of a
 * /v2 route whatever its cause (validation, auth, limits, timeouts): the specification allows
 * no other field. The request id still travels in the X-Request-Id header.
 */
export const oipErrorBody: ErrorBodyStyle = (_status, body) => ({ error: errorMessageOf(body) });
