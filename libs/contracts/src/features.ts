import { z } from 'zod';
import { FEATURE_NAMES } from '@app/model';

/**
 * Plausible range for an iris measurement in cm. The largest iris flowers measure a
 * few cm; 100 cm leaves room for unit mistakes to be scored (and flagged as drift)
 * while rejecting absurd values and overflow (1e400 parses to Infinity).
 */
/** The name the one served model is known by (OIP's model name, spans' ml.model.name). */
export const SERVED_MODEL_NAME = 'iris';

export const FEATURE_MIN_EXCLUSIVE = 0;
export const FEATURE_MAX = 100;

/**
 * Bounds are checks rather than refinements so that the JSON Schema generated from this schema
 * (the OpenAPI document) states them too.
 */
const measurement = z
  .number({
    error: (issue) => (issue.input === undefined ? 'is required' : typeof issue.input === 'number' ? 'must be a finite number' : 'must be a number'),
  })
  .gt(FEATURE_MIN_EXCLUSIVE, { message: `must be greater than ${FEATURE_MIN_EXCLUSIVE} cm` })
  .lte(FEATURE_MAX, { message: `must be at most ${FEATURE_MAX} cm` })
  .meta({ description: 'cm' });

export const featuresSchema = z.strictObject(
  Object.fromEntries(FEATURE_NAMES.map((name) => [name, measurement])) as Record<(typeof FEATURE_NAMES)[number], typeof measurement>,
);

export type Features = z.infer<typeof featuresSchema>;

export const MAX_BATCH = 1000;

export const batchSchema = z.strictObject({
  instances: z
    .array(featuresSchema, { error: 'must be an array of feature objects' })
    .min(1, { message: 'must contain at least 1 instance' })
    .max(MAX_BATCH, { message: `must contain at most ${MAX_BATCH} instances` }),
});

export function featureVector(f: Features): number[] {
  return FEATURE_NAMES.map((name) => f[name]);
}
