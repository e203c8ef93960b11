import { z } from 'zod';
import { featuresSchema } from '../features';
import { CLASS_NAMES } from '@app/model';
import { evaluationSchema } from './model';

export const RETRAIN_REASONS = ['manual', 'drift', 'schedule', 'bootstrap'] as const;

const inlineRowSchema = featuresSchema.extend({ species: z.enum(CLASS_NAMES) });

export const datasetSourceSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('iris') }),
  z.strictObject({ source: z.literal('inline'), rows: z.array(inlineRowSchema).min(6).max(100_000) }),
  z.strictObject({ source: z.literal('csv'), path: z.string().min(1).max(4096) }),
  /** The reference data plus the labeled live rows (since a time, if given): continuous training, through the same gate. */
  z.strictObject({ source: z.literal('feedback'), since: z.iso.datetime({ offset: true }).optional() }),
]);
export type DatasetSource = z.infer<typeof datasetSourceSchema>;

/** Shared by the HTTP body, the CLI and the Kafka consumer, so all three accept the same thing. */
export const retrainParamsSchema = z.strictObject({
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
  reason: z.enum(RETRAIN_REASONS).optional(),
});
export type RetrainParams = z.infer<typeof retrainParamsSchema>;

export const retrainRequestedSchema = retrainParamsSchema.extend({ job_id: z.string().min(1).max(200) });
export type RetrainRequested = z.infer<typeof retrainRequestedSchema>;

export const RUN_STATUSES = ['accepted', 'running', 'promoted', 'rejected', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A tracked run, keyed by job id on a compacted topic; each status change republishes it whole. */
export const trainingRunSchema = z.strictObject({
  job_id: z.string().min(1),
  run_id: z.string().min(1),
  status: z.enum(RUN_STATUSES),
  params: z.strictObject({
    test_size: z.number(),
    random_state: z.number(),
    var_smoothing: z.number(),
    dataset: z.string(),
    reason: z.enum(RETRAIN_REASONS),
  }),
  dataset: z.strictObject({ sha256: z.string(), rows: z.number().int(), class_counts: z.record(z.string(), z.number().int()) }).nullable(),
  metrics: evaluationSchema.nullable(),
  current_model_accuracy_on_holdout: z.number().nullable(),
  /** Candidate and current model on the trusted reference set (absent in records older than the reference gate). */
  reference: z.strictObject({ dataset: z.string(), rows: z.number().int(), candidate_accuracy: z.number(), current_accuracy: z.number().nullable() }).nullable().optional(),
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
