import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';
import type { ApiErrorBody, ErrorDetail } from './api-error';

/** At most this many details: a body with 100,000 unknown keys must not get a 100,000-line answer. */
const MAX_DETAILS = 20;

/** zod issues as `{field, message}` pairs; an unknown key becomes one detail per key. */
export function toErrorDetails(error: z.ZodError): ErrorDetail[] {
  const details = error.issues.flatMap((issue): ErrorDetail[] => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: base ? `${base}.${key.slice(0, 64)}` : key.slice(0, 64), message: 'is not an allowed field' }));
    }
    return [{ field: base || '(body)', message: issue.message }];
  });
  if (details.length <= MAX_DETAILS) return details;
  return [...details.slice(0, MAX_DETAILS), { field: '(body)', message: `and ${details.length - MAX_DETAILS} more problems` }];
}

export function validateBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const response: ApiErrorBody = { status: 'error', error: 'validation_failed', details: toErrorDetails(result.error) };
  throw new BadRequestException(response);
}
