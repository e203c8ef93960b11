export interface ErrorDetail {
  field: string;
  message: string;
}

/** The one error body every HTTP endpoint answers with. */
export interface ApiErrorBody {
  status: 'error';
  error: string;
  message?: string;
  details?: ErrorDetail[];
  request_id?: string;
  client_request_id?: string;
  [extra: string]: unknown;
}
