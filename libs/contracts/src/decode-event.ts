import type { z } from 'zod';
import { envelopeSchema, type EventEnvelope } from './envelope';
import { EVENTS, type PayloadOf } from './event-map';
import type { Topic } from './topics';

export type Decoded<T extends Topic> = { ok: true; event: EventEnvelope<PayloadOf<T>> } | { ok: false; reason: string };

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Validates a raw Kafka value against the topic's contract; the reason names what is wrong. */
export function decodeEvent<T extends Topic>(topic: T, raw: Buffer | string | null): Decoded<T> {
  if (raw === null || raw.length === 0) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: `invalid envelope: ${describeIssues(envelope.error)}` };
  const spec = EVENTS[topic];
  if (!spec) return { ok: false, reason: `unknown topic ${topic}` };
  if (envelope.data.event_type !== spec.type) {
    return { ok: false, reason: `event_type ${envelope.data.event_type} does not belong on ${topic} (expected ${spec.type})` };
  }
  const payload = spec.schema.safeParse(envelope.data.payload);
  if (!payload.success) return { ok: false, reason: `invalid ${spec.type} payload: ${describeIssues(payload.error)}` };
  return { ok: true, event: { ...envelope.data, payload: payload.data } as EventEnvelope<PayloadOf<T>> };
}
