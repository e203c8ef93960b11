import { z } from 'zod';
import { CLASS_NAMES } from '@app/model';
import { MAX_BATCH, featuresSchema } from '../features';

export const predictionRequestedSchema = z.strictObject({
  instances: z.array(featuresSchema).min(1).max(MAX_BATCH),
  /** Gateway instance waiting for the answer; other gateways ignore the reply. */
  reply_to: z.string().min(1).max(200),
});
export type PredictionRequested = z.infer<typeof predictionRequestedSchema>;

const probability = z.number().min(0).max(1);

export const scoredInstanceSchema = z.strictObject({
  prediction: z.enum(CLASS_NAMES),
  class_id: z.number().int().min(0),
  probability,
  probabilities: z.record(z.enum(CLASS_NAMES), probability),
});
export type ScoredInstance = z.infer<typeof scoredInstanceSchema>;

export const predictionMadeSchema = z.strictObject({
  instances: z.array(featuresSchema).min(1).max(MAX_BATCH),
  predictions: z.array(scoredInstanceSchema).min(1).max(MAX_BATCH),
  model_version: z.number().int().positive(),
  scoring_latency_ms: z.number().nonnegative(),
  worker: z.string().min(1),
  reply_to: z.string().min(1).max(200),
});
export type PredictionMade = z.infer<typeof predictionMadeSchema>;
