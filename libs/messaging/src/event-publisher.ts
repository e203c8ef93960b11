import { EVENTS, HEADERS, createEnvelope, type EventEnvelope, type PayloadOf, type Topic } from '@app/contracts';
import { activeTraceparent, currentClientRequestId, currentRequestId, eventBytesPublished, eventsPublished } from '@app/observability';
import type { EventBus } from './event-bus';

export interface PublishOptions {
  key?: string;
  requestId?: string;
  clientRequestId?: string;
  /** A deterministic id (see derivedEventId) for events that may be produced again for the same cause. */
  eventId?: string;
  /** Pins the partition, e.g. the reply partition a gateway reads. */
  partition?: number;
  /** The span the event continues; the active span's when absent (tracing on). */
  traceparent?: string;
}

/** Wraps payloads in the versioned envelope and carries the request id (and trace context) in Kafka headers. */
export class EventPublisher {
  constructor(
    private readonly bus: EventBus,
    private readonly producer: string,
  ) {}

  async publish<T extends Topic>(topic: T, payload: PayloadOf<T>, options: PublishOptions = {}): Promise<EventEnvelope<PayloadOf<T>>> {
    const [envelope] = await this.publishMany(topic, [{ payload, options }]);
    return envelope;
  }

  /** Several events in one produce request: a worker answers a whole batch with one round trip. */
  async publishMany<T extends Topic>(topic: T, items: Array<{ payload: PayloadOf<T>; options?: PublishOptions }>): Promise<Array<EventEnvelope<PayloadOf<T>>>> {
    const active = activeTraceparent();
    const envelopes = items.map(({ payload, options = {} }) => {
      const requestId = options.requestId ?? currentRequestId() ?? 'none';
      const clientRequestId = options.requestId ? options.clientRequestId : (options.clientRequestId ?? currentClientRequestId());
      const traceparent = options.traceparent ?? active;
      const envelope = createEnvelope(EVENTS[topic].type, payload, {
        requestId,
        clientRequestId,
        producer: this.producer,
        eventId: options.eventId,
        traceparent,
      });
      return { key: options.key, partition: options.partition, envelope };
    });
    const records = envelopes.map(({ key, partition, envelope }) => ({
      key,
      partition,
      value: JSON.stringify(envelope),
      headers: {
        [HEADERS.requestId]: envelope.request_id,
        ...(envelope.client_request_id ? { [HEADERS.clientRequestId]: envelope.client_request_id } : {}),
        [HEADERS.eventType]: envelope.event_type,
        [HEADERS.producer]: this.producer,
        ...(envelope.traceparent ? { [HEADERS.traceparent]: envelope.traceparent } : {}),
      } as Record<string, string>,
    }));
    await this.bus.send(topic, records);
    eventsPublished.inc({ topic }, records.length);
    eventBytesPublished.inc(
      { topic },
      records.reduce((n, r) => n + recordBytes(r), 0),
    );
    return envelopes.map((e) => e.envelope);
  }
}

/** What a record weighs before the client frames it: what "bytes per prediction" counts on each hop. */
function recordBytes(r: { key?: string; value: string; headers: Record<string, string> }): number {
  let n = Buffer.byteLength(r.value) + (r.key ? Buffer.byteLength(r.key) : 0);
  for (const name in r.headers) n += name.length + Buffer.byteLength(r.headers[name]);
  return n;
}
