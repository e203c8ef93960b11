import { z } from 'zod';

/**
 * The error body every HTTP endpoint answers with (routes of a standard protocol reword it: see
 * ErrorBodyStyle in libs/runtime). A contract with clients, so it lives here as a schema; extra
 * fields (the limit a request broke) are allowed.
 */
export const apiErrorBodySchema = z.looseObject({
  status: z.literal('error'),
  error: z.string().meta({ description: 'A stable code, e.g. validation_failed, unauthorized, prediction_timeout' }),
  message: z.string().optional(),
  details: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
  request_id: z.string().optional(),
  client_request_id: z.string().optional(),
});

export interface ErrorDetail {
  field: string;
  message: string;
}

export interface ApiErrorBody {
  status: 'error';
  error: string;
  message?: string;
  details?: ErrorDetail[];
  request_id?: string;
  client_request_id?: string;
  [extra: string]: unknown;
}

/** An error body in one line: the message, or every detail (field: problem). */
export function errorMessageOf(body: ApiErrorBody): string {
  if (body.details && body.details.length > 0) return `invalid request: ${body.details.map((d) => `${d.field}: ${d.message}`).join('; ')}`;
  return body.message ?? body.error;
}
