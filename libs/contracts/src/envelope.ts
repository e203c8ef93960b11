import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export const SCHEMA_VERSION = 1;

/** Metadata every event carries, whatever its topic. */
export const envelopeSchema = z.strictObject({
  event_id: z.string().min(1).max(200),
  event_type: z.string().min(1).max(100),
  schema_version: z.literal(SCHEMA_VERSION),
  occurred_at: z.iso.datetime({ offset: true }),
  request_id: z.string().min(1).max(200),
  producer: z.string().min(1).max(200),
  payload: z.unknown(),
});

export interface EventEnvelope<P> {
  event_id: string;
  event_type: string;
  schema_version: typeof SCHEMA_VERSION;
  occurred_at: string;
  request_id: string;
  producer: string;
  payload: P;
}

export interface EnvelopeMeta {
  requestId: string;
  producer: string;
  /** Injected so tests and replays can pin ids and times. */
  eventId?: string;
  occurredAt?: Date;
}

export function createEnvelope<P>(eventType: string, payload: P, meta: EnvelopeMeta): EventEnvelope<P> {
  return {
    event_id: meta.eventId ?? randomUUID(),
    event_type: eventType,
    schema_version: SCHEMA_VERSION,
    occurred_at: (meta.occurredAt ?? new Date()).toISOString(),
    request_id: meta.requestId,
    producer: meta.producer,
    payload,
  };
}
