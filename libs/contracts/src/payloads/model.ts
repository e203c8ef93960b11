import { z } from 'zod';
import { validateModelParams, type ModelParams } from '@app/model';

const finite = z.number().refine(Number.isFinite, { message: 'must be finite' });

export const featureBaselineSchema = z.strictObject({
  feature: z.string(),
  count: z.number().int().nonnegative(),
  mean: finite,
  std: finite,
  min: finite,
  max: finite,
  binEdges: z.array(finite),
  binCounts: z.array(z.number().int().nonnegative()),
});

export const evaluationSchema = z.strictObject({
  accuracy: z.number().min(0).max(1),
  macro_f1: z.number().min(0).max(1),
  per_class: z.record(z.string(), z.strictObject({ precision: finite, recall: finite, f1: finite, support: z.number().int().nonnegative() })),
  confusion_matrix: z.array(z.array(z.number().int().nonnegative())),
  holdout_size: z.number().int().nonnegative(),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

/** Model parameters are checked by the domain's own validator, which knows the shapes. */
export const modelParamsSchema = z.unknown().transform((value, ctx): ModelParams => {
  try {
    return validateModelParams(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** Everything a worker needs to serve a version, small enough to travel inside an event. */
export const modelArtifactSchema = z.strictObject({
  version: z.number().int().positive(),
  run_id: z.string().min(1),
  trained_at: z.iso.datetime({ offset: true }),
  checksum: z.string().regex(/^[a-f0-9]{64}$/),
  params: modelParamsSchema,
  metrics: evaluationSchema,
  baselines: z.array(featureBaselineSchema),
});
export type ModelArtifact = z.infer<typeof modelArtifactSchema>;

export const MODEL_STATUSES = ['current', 'archived', 'rejected'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** Registry record, keyed by version on a compacted topic: the newest record per version wins. */
export const modelRegisteredSchema = z.strictObject({
  version: z.number().int().positive(),
  status: z.enum(MODEL_STATUSES),
  status_reason: z.string(),
  parent_version: z.number().int().positive().nullable(),
  job_id: z.string().min(1),
  registered_at: z.iso.datetime({ offset: true }),
  model: modelArtifactSchema,
});
export type ModelRegistered = z.infer<typeof modelRegisteredSchema>;

export const modelReadySchema = z.strictObject({
  model: modelArtifactSchema,
  reason: z.enum(['bootstrap', 'retrain', 'promote']),
});
export type ModelReady = z.infer<typeof modelReadySchema>;
