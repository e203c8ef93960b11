import { z } from 'zod';
import { CLASS_NAMES } from '@app/model';
import { MAX_BATCH, featuresSchema } from '../features';

export const predictionRequestedSchema = z.strictObject({
  instances: z.array(featuresSchema).min(1).max(MAX_BATCH),
  /** Gateway instance waiting for the answer; other gateways ignore the reply. */
  reply_to: z.string().min(1).max(200),
  /** The partition of the reply topic that gateway reads: it need not read every other gateway's replies. */
  reply_partition: z.number().int().min(0).max(10_000).optional(),
  /** Score with this registered version instead of the one the worker serves (comparisons, OIP's /versions/{v}). */
  model_version: z.number().int().positive().optional(),
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

/** deadline_exceeded: reached after the gateway had stopped waiting (it answered 504), so not scored. */
export const PREDICTION_FAILURES = ['reply_too_large', 'unknown_model_version', 'deadline_exceeded'] as const;

/** A request a worker could not answer: the waiting gateway fails it at once instead of timing out. */
export const predictionFailedSchema = z.strictObject({
  error: z.enum(PREDICTION_FAILURES),
  reason: z.string().max(2000),
  rows: z.number().int().min(0),
  worker: z.string().min(1),
  reply_to: z.string().min(1).max(200),
});
export type PredictionFailed = z.infer<typeof predictionFailedSchema>;

/**
 * Upper bound of one scored row in a PredictionMade event (input echoed plus scores, every
 * number at its longest JSON form); lets the gateway refuse a batch whose reply the broker
 * would refuse, before anything is published.
 */
export const REPLY_BYTES_PER_ROW = 400;
export const REPLY_OVERHEAD_BYTES = 2048;
