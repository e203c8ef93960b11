import { z } from 'zod';
import { MAX_FEATURES, MAX_NAME_CHARS } from '@app/model';
import { traceparentSchema } from '../envelope';
import { MAX_BATCH } from '../features';
import { modelNameSchema } from '../model-names';
import { MAX_REQUESTS_PER_RECORD } from './prediction-batch';

const requestId = z.string().min(1).max(200);
const clientRequestId = z.string().min(1).max(128).optional();
const probability = z.number().min(0).max(1);

/**
 * One row for a named model, by feature name. The shape is checked here; whether the names are
 * the model's is checked against the version that scores it (the worker's registry view).
 */
export const namedInstanceSchema = z
  .record(z.string().min(1).max(MAX_NAME_CHARS), z.number())
  .refine((row) => Object.keys(row).length <= MAX_FEATURES, { message: `at most ${MAX_FEATURES} features` });
export type NamedInstance = z.infer<typeof namedInstanceSchema>;

export const namedScoredInstanceSchema = z.strictObject({
  prediction: z.string().min(1).max(MAX_NAME_CHARS),
  class_id: z.number().int().min(0),
  probability,
  probabilities: z.record(z.string().min(1).max(MAX_NAME_CHARS), probability),
});
export type NamedScoredInstance = z.infer<typeof namedScoredInstanceSchema>;

export const namedRequestSchema = z.strictObject({
  request_id: requestId,
  client_request_id: clientRequestId,
  model: modelNameSchema,
  /** Score with this version of the model instead of its current one. */
  model_version: z.number().int().positive().optional(),
  instances: z.array(namedInstanceSchema).min(1).max(MAX_BATCH),
  /** Epoch ms after which nobody waits for the answer. */
  deadline: z.number().int().positive().optional(),
  traceparent: traceparentSchema.optional(),
});
export type NamedRequest = z.infer<typeof namedRequestSchema>;

/** Requests for named models gathered in one batching window, as the default model's v2 records are. */
export const namedPredictionRequestedSchema = z.strictObject({
  reply_to: z.string().min(1).max(200),
  reply_partition: z.number().int().min(0).max(10_000).optional(),
  requests: z.array(namedRequestSchema).min(1).max(MAX_REQUESTS_PER_RECORD),
});
export type NamedPredictionRequested = z.infer<typeof namedPredictionRequestedSchema>;

export const NAMED_PREDICTION_FAILURES = ['unknown_model', 'unknown_model_version', 'invalid_instances', 'deadline_exceeded'] as const;

const resultIds = {
  request_id: requestId,
  client_request_id: clientRequestId,
  /** Derived from the request: a request scored twice answers with the same event id. */
  event_id: z.string().min(1).max(200),
  traceparent: traceparentSchema.optional(),
  model: modelNameSchema,
};

export const namedScoredResultSchema = z.strictObject({
  outcome: z.literal('scored'),
  ...resultIds,
  instances: z.array(namedInstanceSchema).min(1).max(MAX_BATCH),
  predictions: z.array(namedScoredInstanceSchema).min(1).max(MAX_BATCH),
  model_version: z.number().int().positive(),
  scoring_latency_ms: z.number().nonnegative(),
});
export type NamedScoredResult = z.infer<typeof namedScoredResultSchema>;

export const namedFailedResultSchema = z.strictObject({
  outcome: z.literal('failed'),
  ...resultIds,
  error: z.enum(NAMED_PREDICTION_FAILURES),
  reason: z.string().max(2000),
  rows: z.number().int().min(0),
});
export type NamedFailedResult = z.infer<typeof namedFailedResultSchema>;

export const namedResultSchema = z.discriminatedUnion('outcome', [namedScoredResultSchema, namedFailedResultSchema]);
export type NamedResult = z.infer<typeof namedResultSchema>;

export const namedPredictionMadeSchema = z.strictObject({
  worker: z.string().min(1),
  reply_to: z.string().min(1).max(200),
  results: z.array(namedResultSchema).min(1).max(MAX_REQUESTS_PER_RECORD),
});
export type NamedPredictionMade = z.infer<typeof namedPredictionMadeSchema>;

/**
 * A named model's shadow version's scores for one request its serving version answered: same
 * request id (in the envelope), never a reply, one record per request as the default model's.
 */
export const namedShadowPredictionSchema = z.strictObject({
  model: modelNameSchema,
  instances: z.array(namedInstanceSchema).min(1).max(MAX_BATCH),
  predictions: z.array(namedScoredInstanceSchema).min(1).max(MAX_BATCH),
  model_version: z.number().int().positive(),
  serving_version: z.number().int().positive(),
  worker: z.string().min(1),
});
export type NamedShadowPrediction = z.infer<typeof namedShadowPredictionSchema>;
