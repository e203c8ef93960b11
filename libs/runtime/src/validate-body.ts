import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';
import type { ApiErrorBody, ErrorDetail } from './api-error';

/** zod issues as `{field, message}` pairs; an unknown key becomes one detail per key. */
export function toErrorDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.flatMap((issue): ErrorDetail[] => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: base ? `${base}.${key}` : key, message: 'is not an allowed field' }));
    }
    return [{ field: base || '(body)', message: issue.message }];
  });
}

export function validateBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const response: ApiErrorBody = { status: 'error', error: 'validation_failed', details: toErrorDetails(result.error) };
  throw new BadRequestException(response);
}
