import type { EventEnvelope } from './envelope';
import { EVENTS } from './event-map';
import { derivedEventId } from './event-ids';
import type { PredictionFailed, PredictionMade, PredictionRequested } from './payloads/prediction';
import type { PredictionBatchMade, PredictionBatchRequested } from './payloads/prediction-batch';
import { TOPICS } from './topics';

/**
 * A batch record is a transport optimisation: everything downstream (scoring, routing, indexing,
 * statistics, label joins) works on one request at a time, exactly as it did with one record per
 * request. These views give each request of a batch the envelope it would have had on its own.
 */
type View<P> = EventEnvelope<P>;

function view<P>(
  batch: EventEnvelope<unknown>,
  eventType: string,
  r: { request_id: string; client_request_id?: string; traceparent?: string },
  eventId: string,
  payload: P,
): View<P> {
  return {
    event_id: eventId,
    event_type: eventType,
    schema_version: batch.schema_version,
    occurred_at: batch.occurred_at,
    request_id: r.request_id,
    ...(r.client_request_id ? { client_request_id: r.client_request_id } : {}),
    producer: batch.producer,
    ...(r.traceparent ? { traceparent: r.traceparent } : {}),
    payload,
  };
}

/** The id a request of a batch is known by: stable across redeliveries of the record. */
export function batchedRequestEventId(batchEventId: string, requestId: string): string {
  return derivedEventId(batchEventId, `request:${requestId}`);
}

/** Each request of a batch record as a v1 request event of its own. */
export function requestViews(batch: EventEnvelope<PredictionBatchRequested>): Array<View<PredictionRequested>> {
  const { reply_to, reply_partition } = batch.payload;
  return batch.payload.requests.map((r) =>
    view<PredictionRequested>(batch, EVENTS[TOPICS.predictionRequested].type, r, batchedRequestEventId(batch.event_id, r.request_id), {
      instances: r.instances,
      reply_to,
      ...(reply_partition !== undefined ? { reply_partition } : {}),
      ...(r.model_version !== undefined ? { model_version: r.model_version } : {}),
    }),
  );
}

export interface ResultViews {
  made: Array<View<PredictionMade>>;
  failed: Array<View<PredictionFailed>>;
}

/** Each answer of a batch reply as the v1 prediction (or failure) event it stands for. */
export function resultViews(batch: EventEnvelope<PredictionBatchMade>): ResultViews {
  const { worker, reply_to } = batch.payload;
  const out: ResultViews = { made: [], failed: [] };
  for (const r of batch.payload.results) {
    if (r.outcome === 'scored') {
      out.made.push(
        view<PredictionMade>(batch, EVENTS[TOPICS.predictionMade].type, r, r.event_id, {
          instances: r.instances,
          predictions: r.predictions,
          model_version: r.model_version,
          scoring_latency_ms: r.scoring_latency_ms,
          worker,
          reply_to,
        }),
      );
    } else {
      const { error, reason, rows } = r;
      out.failed.push(view<PredictionFailed>(batch, EVENTS[TOPICS.predictionFailed].type, r, r.event_id, { error, reason, rows, worker, reply_to }));
    }
  }
  return out;
}
