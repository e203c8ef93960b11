import { z } from 'zod';
import { featuresSchema } from '../features';
import { ALGORITHMS, CLASS_NAMES, DEFAULT_ALGORITHM, estimatorFor } from '@app/model';
import { evaluationSchema, modelParamsSchema } from './model';
import { modelNameSchema } from '../model-names';

export const RETRAIN_REASONS = ['manual', 'drift', 'schedule', 'bootstrap'] as const;

const inlineRowSchema = featuresSchema.extend({ species: z.enum(CLASS_NAMES) });

export const datasetSourceSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('iris') }),
  z.strictObject({ source: z.literal('inline'), rows: z.array(inlineRowSchema).min(6).max(100_000) }),
  /** `label`: the label column; a named model's CSV names it (the default model's is `species`). */
  z.strictObject({ source: z.literal('csv'), path: z.string().min(1).max(4096), label: z.string().min(1).max(200).optional() }),
  /**
   * A named model's inline rows: objects of its features by name and the class under `label`, as
   * prediction requests send them (the default model's are `inline`, with `species`). Checked
   * row by row by the trainer (parseTabularRows), with a CSV's caps and messages.
   */
  z.strictObject({
    source: z.literal('rows'),
    label: z.string().min(1).max(200),
    rows: z
      .array(z.record(z.string().max(200), z.union([z.number(), z.string().max(200)])))
      .min(6)
      .max(100_000),
  }),
  /** The reference data plus the labeled live rows (since a time, if given): continuous training, through the same gate. */
  z.strictObject({ source: z.literal('feedback'), since: z.iso.datetime({ offset: true }).optional() }),
]);
export type DatasetSource = z.infer<typeof datasetSourceSchema>;

const retrainFields = {
  /** The learning algorithm (default gaussian_nb). */
  algorithm: z.enum(ALGORITHMS).optional(),
  /** Its hyperparameters in scikit-learn's names ({ var_smoothing } or { C, max_iter, tol }); absent ones get scikit-learn's defaults. */
  params: z.record(z.string(), z.number()).optional(),
  /** Bounded: a holdout of a handful of rows (or 1e-300 of the data) proves nothing about a candidate. */
  test_size: z.number().min(0.05, { message: 'must be at least 0.05' }).max(0.5, { message: 'must be at most 0.5' }).optional(),
  random_state: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  var_smoothing: z.number().min(0).max(1).optional(),
  dataset: datasetSourceSchema.optional(),
  /** Rows the gate judges on instead of a split of `dataset` (every dataset row is then fitted). */
  holdout: z.strictObject({ source: z.literal('csv'), path: z.string().min(1).max(4096), label: z.string().min(1).max(200).optional() }).optional(),
  reason: z.enum(RETRAIN_REASONS).optional(),
};

/**
 * A model fitted elsewhere (POST /models/{name}/versions): registered instead of a fitted one,
 * through the same gate, judged on the dataset's holdout and the reference set.
 */
const importFields = { model: modelParamsSchema.optional() };

/** The hyperparameters a request asks for: `params`, or the older top-level `var_smoothing`. */
export function requestedHyperparameters(p: { params?: Record<string, number>; var_smoothing?: number }): Record<string, number> {
  return p.params ?? (p.var_smoothing !== undefined ? { var_smoothing: p.var_smoothing } : {});
}

/** The algorithm's own validator judges its hyperparameters, so a bad C is refused where it arrives, not in the trainer. */
function checkHyperparameters(p: { algorithm?: string; params?: Record<string, number>; var_smoothing?: number; model?: unknown }, ctx: z.RefinementCtx): void {
  if (p.model !== undefined) {
    for (const field of ['algorithm', 'params', 'var_smoothing'] as const)
      if (p[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'an imported model is fitted already' });
    return;
  }
  const algorithm = p.algorithm ?? DEFAULT_ALGORITHM;
  if (p.var_smoothing !== undefined && (algorithm !== 'gaussian_nb' || p.params !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['var_smoothing'],
      message: algorithm === 'gaussian_nb' ? 'give it in params or on its own, not both' : `is a gaussian_nb parameter; ${algorithm} takes its own in params`,
    });
    return;
  }
  try {
    estimatorFor(algorithm).hyperparameters(requestedHyperparameters(p));
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: ['params'], message: (err as Error).message });
  }
}

/** Shared by the HTTP body, the CLI and the Kafka consumer, so all three accept the same thing. */
export const retrainParamsSchema = z.strictObject(retrainFields).superRefine(checkHyperparameters);
export type RetrainParams = z.infer<typeof retrainParamsSchema>;

export const retrainRequestedSchema = z
  .strictObject({
    ...retrainFields,
    ...importFields,
    job_id: z.string().min(1).max(200),
    /** The model to train; absent means the default model, as every event before named models did. */
    model_name: modelNameSchema.optional(),
  })
  .superRefine(checkHyperparameters);
export type RetrainRequested = z.infer<typeof retrainRequestedSchema>;

export const RUN_STATUSES = ['accepted', 'running', 'promoted', 'rejected', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A tracked run, keyed by job id on a compacted topic; each status change republishes it whole. */
export const trainingRunSchema = z.strictObject({
  job_id: z.string().min(1),
  /** Absent for the default model. */
  model_name: modelNameSchema.optional(),
  run_id: z.string().min(1),
  status: z.enum(RUN_STATUSES),
  params: z.strictObject({
    /** Absent in records written before runs named it: those trained gaussian_nb. */
    algorithm: z.enum(ALGORITHMS).optional(),
    /** The hyperparameters fitted with, defaults included (absent in older records: var_smoothing said it). */
    hyperparameters: z.record(z.string(), z.number().nullable()).optional(),
    test_size: z.number(),
    random_state: z.number(),
    /** gaussian_nb's, kept for readers of older records. */
    var_smoothing: z.number().optional(),
    dataset: z.string(),
    reason: z.enum(RETRAIN_REASONS),
  }),
  dataset: z.strictObject({ sha256: z.string(), rows: z.number().int(), class_counts: z.record(z.string(), z.number().int()) }).nullable(),
  metrics: evaluationSchema.nullable(),
  current_model_accuracy_on_holdout: z.number().nullable(),
  /** Candidate and current model on the trusted reference set (absent in records older than the reference gate). */
  reference: z
    .strictObject({ dataset: z.string(), rows: z.number().int(), candidate_accuracy: z.number(), current_accuracy: z.number().nullable() })
    .nullable()
    .optional(),
  model_version: z.number().int().positive().nullable(),
  artifact_checksum: z.string().nullable(),
  code_version: z.string(),
  started_at: z.iso.datetime({ offset: true }),
  finished_at: z.iso.datetime({ offset: true }).nullable(),
  duration_ms: z.number().nonnegative().nullable(),
  outcome_reason: z.string().nullable(),
});
export type TrainingRun = z.infer<typeof trainingRunSchema>;

export const retrainFailedSchema = z.strictObject({ job_id: z.string().min(1), reason: z.string() });
export type RetrainFailed = z.infer<typeof retrainFailedSchema>;
