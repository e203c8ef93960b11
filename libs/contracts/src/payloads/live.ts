import { z } from 'zod';
import { MAX_BATCH, featuresSchema } from '../features';
import { scoredInstanceSchema } from './prediction';

/** A shadow version's scores for a request the current version answered: same request id, never a reply. */
export const shadowPredictionSchema = z.strictObject({
  instances: z.array(featuresSchema).min(1).max(MAX_BATCH),
  predictions: z.array(scoredInstanceSchema).min(1).max(MAX_BATCH),
  model_version: z.number().int().positive(),
  serving_version: z.number().int().positive(),
  worker: z.string().min(1),
});
export type ShadowPrediction = z.infer<typeof shadowPredictionSchema>;

const rate = z.number().min(0).max(1);

/** Live evaluation of one version, keyed by version on a compacted topic (the gateway serves it at /models/{v}/live). */
export const liveEvaluationSchema = z.strictObject({
  version: z.number().int().positive(),
  labeled: z.number().int().nonnegative(),
  correct: z.number().int().nonnegative(),
  accuracy: rate.nullable(),
  /** Wilson score interval, 95%. */
  accuracy_ci95: z.tuple([rate, rate]).nullable(),
  per_class_recall: z.record(z.string(), rate.nullable()),
  confusion_matrix: z.array(z.array(z.number().int().nonnegative())),
  /** Against other versions on the same requests: shadow agreement, and both accuracies on the same labeled rows. */
  comparisons: z.array(
    z.strictObject({
      other_version: z.number().int().positive(),
      compared: z.number().int().nonnegative(),
      agreement: rate.nullable(),
      labeled: z.number().int().nonnegative(),
      accuracy: rate.nullable(),
      other_accuracy: rate.nullable(),
    }),
  ),
  updated_at: z.iso.datetime({ offset: true }),
});
export type LiveEvaluation = z.infer<typeof liveEvaluationSchema>;
