import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

/**
 * The OpenAPI document is generated from the zod schemas that validate requests and describe
 * responses (OpenAPI 3.1 takes JSON Schema 2020-12 as is), so a limit or a field exists once.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return json;
}

/** Named examples of a request body; the e2e suite sends each one to the live server. */
export type Examples = Record<string, unknown>;

const asExamples = (examples: Examples) => Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { summary: name, value }]));

export function ApiJsonBody(schema: z.ZodType, examples: Examples, description?: string) {
  return ApiBody({ schema: jsonSchemaOf(schema, 'input'), examples: asExamples(examples), description, required: true });
}

export function ApiJsonResponse(status: number, description: string, schema: z.ZodType) {
  return ApiResponse({ status, description, schema: jsonSchemaOf(schema) });
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: the body names every problem',
  401: 'No valid API key (API_KEYS is set): send Authorization: Bearer <key> or X-API-Key',
  403: 'The key is valid but not enough for this route, or the route answers local clients only',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'The body exceeds BODY_LIMIT, or the reply would exceed the broker message limit',
  415: 'Content-Type not accepted',
  429: 'Rate limit exceeded (RATE_LIMIT): retry after the Retry-After seconds',
  502: 'A worker took the request but could not answer it',
  503: 'Event broker unreachable, gateway overloaded, or shutting down: retry',
  504: 'No worker answered within PREDICT_TIMEOUT_MS',
};

/** The error responses a route can give, each with the error body of its style. */
export function ApiErrorResponses(schema: z.ZodType, statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: ERROR_DESCRIPTIONS[status] ?? 'Error', schema: jsonSchemaOf(schema) })),
  );
}
