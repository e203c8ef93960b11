import { z } from 'zod';
import { featuresSchema, scoredInstanceSchema } from '@app/contracts';

/** What the prediction routes answer, as schemas: the OpenAPI document and the controllers' return types both come from here. */
const ids = { request_id: z.string(), client_request_id: z.string().optional() };
const latency = z.number().nonnegative().meta({ description: 'Gateway round trip, ms' });

export const predictResponseSchema = scoredInstanceSchema.extend({
  status: z.literal('success'),
  model_version: z.number().int().positive(),
  ...ids,
  latency_ms: latency,
});
export type PredictResponse = z.infer<typeof predictResponseSchema>;

export const batchResponseSchema = z.strictObject({
  status: z.literal('success'),
  model_version: z.number().int().positive(),
  ...ids,
  latency_ms: latency,
  predictions: z.array(scoredInstanceSchema),
});
export type BatchResponse = z.infer<typeof batchResponseSchema>;

/** `Prefer: respond-async`: the result is at `location` once scored. */
export const acceptedSchema = z.strictObject({ status: z.literal('accepted'), ...ids, location: z.string() });
export type Accepted = z.infer<typeof acceptedSchema>;

/** A lookup of an accepted request not scored yet: ask again after Retry-After. */
export const pendingSchema = z.strictObject({ status: z.literal('pending'), request_id: z.string(), location: z.string() });
export type Pending = z.infer<typeof pendingSchema>;

export const predictionLookupSchema = z.strictObject({
  status: z.literal('success'),
  source: z.enum(['elasticsearch', 'recent']).meta({ description: 'Indexed by the monitor, or seen by this gateway before it was indexed' }),
  ...ids,
  event_id: z.string(),
  occurred_at: z.string(),
  model_version: z.number().int().positive(),
  worker: z.string(),
  scoring_latency_ms: z.number().nonnegative(),
  predictions: z.array(scoredInstanceSchema.extend({ input: featuresSchema })),
});
