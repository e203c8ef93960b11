import { EVENTS, HEADERS, createEnvelope, type EventEnvelope, type PayloadOf, type Topic } from '@app/contracts';
import { currentRequestId } from '@app/observability';
import type { EventBus } from './event-bus';

export interface PublishOptions {
  key?: string;
  requestId?: string;
}

/** Wraps payloads in the versioned envelope and carries the request id in Kafka headers. */
export class EventPublisher {
  constructor(
    private readonly bus: EventBus,
    private readonly producer: string,
  ) {}

  async publish<T extends Topic>(topic: T, payload: PayloadOf<T>, options: PublishOptions = {}): Promise<EventEnvelope<PayloadOf<T>>> {
    const requestId = options.requestId ?? currentRequestId() ?? 'none';
    const envelope = createEnvelope(EVENTS[topic].type, payload, { requestId, producer: this.producer });
    await this.bus.send(topic, [
      {
        key: options.key,
        value: JSON.stringify(envelope),
        headers: { [HEADERS.requestId]: requestId, [HEADERS.eventType]: envelope.event_type, [HEADERS.producer]: this.producer },
      },
    ]);
    return envelope;
  }
}
