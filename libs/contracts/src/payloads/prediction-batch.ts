import { z } from 'zod';
import { traceparentSchema } from '../envelope';
import { MAX_BATCH, featuresSchema } from '../features';
import { PREDICTION_FAILURES, scoredInstanceSchema } from './prediction';

/**
 * Most requests one record carries. The gateway's own caps (PREDICT_BATCH_MAX_ROWS and the
 * broker's message limit) keep records far below it; this bounds what a hostile producer can
 * make a worker decode.
 */
export const MAX_REQUESTS_PER_RECORD = 4096;

const requestId = z.string().min(1).max(200);
const clientRequestId = z.string().min(1).max(128).optional();

/** One caller's request inside a batch record: everything that was per record in v1 stays per request. */
export const batchedRequestSchema = z.strictObject({
  request_id: requestId,
  client_request_id: clientRequestId,
  instances: z.array(featuresSchema).min(1).max(MAX_BATCH),
  /** Score with this registered version instead of the routed one. */
  model_version: z.number().int().positive().optional(),
  /**
   * Epoch milliseconds after which nobody waits for the answer (the gateway answered 504): a worker
   * that reaches the request later skips the scoring. Asynchronous requests carry none.
   */
  deadline: z.number().int().positive().optional(),
  /** The request's own trace (tracing on): a batch carries many requests, each keeps its trace. */
  traceparent: traceparentSchema.optional(),
});
export type BatchedRequest = z.infer<typeof batchedRequestSchema>;

const uniqueRequestIds = (list: Array<{ request_id: string }>, ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  list.forEach((r, i) => {
    if (seen.has(r.request_id)) ctx.addIssue({ code: 'custom', path: [i, 'request_id'], message: `request_id ${r.request_id} appears twice in one record` });
    seen.add(r.request_id);
  });
};

/**
 * The requests one gateway gathered within one batching window, in one record: the per-record
 * costs (encode, headers, broker append, fetch, decode, commit) are paid once for all of them.
 */
export const predictionBatchRequestedSchema = z.strictObject({
  /** Gateway instance waiting for the answers; other gateways ignore the reply. */
  reply_to: z.string().min(1).max(200),
  /** The partition of the reply topic that gateway reads. */
  reply_partition: z.number().int().min(0).max(10_000).optional(),
  requests: z.array(batchedRequestSchema).min(1).max(MAX_REQUESTS_PER_RECORD).superRefine(uniqueRequestIds),
});
export type PredictionBatchRequested = z.infer<typeof predictionBatchRequestedSchema>;

const resultIds = {
  request_id: requestId,
  client_request_id: clientRequestId,
  /** Derived from the request, so a request scored twice (redelivered after a crash) answers with the same id. */
  event_id: z.string().min(1).max(200),
  /** The worker's span for this request, which the gateway's receive span continues. */
  traceparent: traceparentSchema.optional(),
};

export const scoredResultSchema = z.strictObject({
  outcome: z.literal('scored'),
  ...resultIds,
  instances: z.array(featuresSchema).min(1).max(MAX_BATCH),
  predictions: z.array(scoredInstanceSchema).min(1).max(MAX_BATCH),
  model_version: z.number().int().positive(),
  scoring_latency_ms: z.number().nonnegative(),
});

/** A request of the batch that could not be answered; its neighbours are unaffected. */
export const failedResultSchema = z.strictObject({
  outcome: z.literal('failed'),
  ...resultIds,
  error: z.enum(PREDICTION_FAILURES),
  reason: z.string().max(2000),
  rows: z.number().int().min(0),
});

export const batchResultSchema = z.discriminatedUnion('outcome', [scoredResultSchema, failedResultSchema]);
export type BatchResult = z.infer<typeof batchResultSchema>;

/** A worker's answers to one batch record, in one record to the reply partition the gateway reads. */
export const predictionBatchMadeSchema = z.strictObject({
  worker: z.string().min(1),
  reply_to: z.string().min(1).max(200),
  results: z.array(batchResultSchema).min(1).max(MAX_REQUESTS_PER_RECORD).superRefine(uniqueRequestIds),
});
export type PredictionBatchMade = z.infer<typeof predictionBatchMadeSchema>;

/** Bytes a reply adds per request on top of its rows (ids, event id, version, latency). */
export const REPLY_BYTES_PER_REQUEST = 500;
