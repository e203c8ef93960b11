import { z } from 'zod';
import { modelNameSchema } from '../model-names';

const finite = z.number().refine(Number.isFinite, { message: 'must be finite' });

export const featureWindowStatsSchema = z.strictObject({
  count: z.number().int().nonnegative(),
  mean: finite,
  std: finite,
  min: finite,
  max: finite,
});

const featureDriftSchema = z.strictObject({ psi: finite, ks: finite, p_value: finite, drifted: z.boolean() });

/**
 * Feature and class names are record keys, not a fixed set: the default model's are iris's (its
 * index mapping holds them to those), a named model's are whatever it was trained on.
 */
export const inputStatsSchema = z.strictObject({
  /** The named model these statistics are of; absent for the default model, whose events name none. */
  model_name: modelNameSchema.optional(),
  model_version: z.number().int().positive().nullable(),
  count: z.number().int().nonnegative(),
  features: z.record(z.string(), featureWindowStatsSchema),
  class_mix: z.record(z.string(), z.number()),
  latency_ms: z.strictObject({ p50: finite, p95: finite, p99: finite }),
  /** Latest drift scores of this window against the serving model's baseline; null before the window is large enough. */
  drift: z.record(z.string(), featureDriftSchema).nullable(),
});
export type InputStats = z.infer<typeof inputStatsSchema>;

export const driftDetectedSchema = z.strictObject({
  /** The named model that drifts; absent for the default model. A named model's drift never requests a retrain. */
  model_name: modelNameSchema.optional(),
  model_version: z.number().int().positive(),
  window_size: z.number().int().nonnegative(),
  drifted_features: z.array(z.string()),
  features: z.record(z.string(), featureDriftSchema),
  retrain_requested: z.boolean(),
});
export type DriftDetected = z.infer<typeof driftDetectedSchema>;

/** A message a consumer could not process, parked with the reason so nothing is silently lost. */
export const deadLetterSchema = z.strictObject({
  source_topic: z.string(),
  partition: z.number().int(),
  offset: z.string(),
  consumer_group: z.string(),
  reason: z.string(),
  key: z.string().nullable(),
  value: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
