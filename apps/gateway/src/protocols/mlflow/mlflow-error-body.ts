import { errorMessageOf, type ErrorBodyStyle } from '@app/runtime';

/** MLflow's error codes (databricks.proto) by HTTP status; MLflow clients read `error_code` and `message`. */
const ERROR_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'RESOURCE_DOES_NOT_EXIST',
  413: 'BAD_REQUEST',
  415: 'BAD_REQUEST',
  429: 'REQUEST_LIMIT_EXCEEDED',
  503: 'TEMPORARILY_UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Our error body with MLflow's two fields on top, so both kinds of client find what they read. */
export const mlflowErrorBody: ErrorBodyStyle = (status, body) => ({
  ...body,
  error_code: ERROR_CODES[status] ?? 'INTERNAL_ERROR',
  message: errorMessageOf(body),
});
