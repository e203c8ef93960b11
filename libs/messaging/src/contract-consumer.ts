import { HEADERS, decodeEvent, type DeadLetter, type EventEnvelope, type PayloadOf, type Topic, TOPICS } from '@app/contracts';
import { type JsonLogger, eventsConsumed, runWithRequestId } from '@app/observability';
import { RetryableError, type EventBus, type InboundMessage, type Subscription } from './event-bus';
import type { EventPublisher } from './event-publisher';

export interface ContractConsumerOptions<T extends Topic> {
  topic: T;
  groupId: string;
  fromBeginning: boolean;
  commitOffsets: boolean;
  /**
   * Handles valid events of one batch. Returning rejections parks those events; throwing
   * RetryableError retries the whole batch with backoff until it succeeds; any other error
   * is retried a few times per event, then the event is parked.
   */
  handle: (events: Array<EventEnvelope<PayloadOf<T>>>) => Promise<void | Rejection[]>;
}

export interface Rejection {
  eventId: string;
  reason: string;
}

const ATTEMPTS = 3;
/** Short enough that a sink coming back is noticed within seconds. */
const MAX_BACKOFF_MS = 5_000;

/** Waits in slices, heartbeating, so a long outage does not get this consumer evicted from its group. */
async function backoff(ms: number, heartbeat: () => Promise<void>): Promise<void> {
  for (let left = ms; left > 0; left -= 1000) {
    await new Promise((r) => setTimeout(r, Math.min(left, 1000)));
    await heartbeat().catch(() => undefined);
  }
}

/**
 * Subscribes to one topic and enforces its contract: malformed messages and events that
 * keep failing go to the dead-letter topic with the reason, and the offset moves on only
 * after every message of the batch was handled or parked.
 */
export async function consumeContract<T extends Topic>(
  bus: EventBus,
  publisher: EventPublisher,
  logger: JsonLogger,
  options: ContractConsumerOptions<T>,
): Promise<Subscription> {
  const { topic, groupId } = options;

  const park = async (message: InboundMessage, reason: string): Promise<void> => {
    const requestId = message.headers[HEADERS.requestId] || 'none';
    const letter: DeadLetter = {
      source_topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      consumer_group: groupId,
      reason,
      key: message.key,
      value: message.value?.toString() ?? null,
      headers: message.headers,
    };
    runWithRequestId(requestId, () => logger.event('warn', 'event dead-lettered', { topic, group: groupId, offset: message.offset, reason }));
    eventsConsumed.inc({ topic, group: groupId, outcome: 'dead_lettered' });
    if (topic === TOPICS.deadLetter) return; // never loop a broken dead letter back onto its own topic
    await publisher.publish(TOPICS.deadLetter, letter, { requestId, key: message.key ?? undefined });
  };

  const runHandler = async (events: Array<EventEnvelope<PayloadOf<T>>>, heartbeat: () => Promise<void>) => {
    // A batch mixes requests, so only a single event lends its request id to the handler's logs.
    const requestId = events.length === 1 ? events[0].request_id : `batch:${events.length}`;
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return { rejections: (await runWithRequestId(requestId, () => options.handle(events))) ?? [] };
      } catch (err) {
        eventsConsumed.inc({ topic, group: groupId, outcome: 'retried' }, events.length);
        const retryable = err instanceof RetryableError;
        logger.event('warn', 'event handler failed', { topic, group: groupId, attempt, retryable, error: (err as Error).message });
        // Only real failures count towards parking; waiting out an outage does not.
        if (!retryable && ++failures >= ATTEMPTS) return { error: err as Error };
        await backoff(Math.min(MAX_BACKOFF_MS, 100 * 2 ** (retryable ? attempt : failures)), heartbeat);
      }
    }
  };

  return bus.subscribe({
    groupId,
    topic,
    fromBeginning: options.fromBeginning,
    commitOffsets: options.commitOffsets,
    handleBatch: async (messages, heartbeat) => {
      const valid: Array<{ message: InboundMessage; event: EventEnvelope<PayloadOf<T>> }> = [];
      for (const message of messages) {
        const decoded = decodeEvent(topic, message.value);
        if (decoded.ok) valid.push({ message, event: decoded.event });
        else await park(message, decoded.reason);
      }
      if (valid.length === 0) return;
      const outcome = await runHandler(
        valid.map((v) => v.event),
        heartbeat,
      );
      if ('error' in outcome) {
        // The batch failed as a whole; retry each event alone so one poison event cannot park its neighbours.
        for (const item of valid) {
          const single = valid.length === 1 ? outcome : await runHandler([item.event], heartbeat);
          if ('error' in single) await park(item.message, `handler failed after ${ATTEMPTS} attempts: ${single.error?.message}`);
          else eventsConsumed.inc({ topic, group: groupId, outcome: 'ok' });
        }
        return;
      }
      const rejected = new Map(outcome.rejections.map((r) => [r.eventId, r.reason]));
      for (const item of valid) {
        const reason = rejected.get(item.event.event_id);
        if (reason) await park(item.message, reason);
        else eventsConsumed.inc({ topic, group: groupId, outcome: 'ok' });
      }
    },
  });
}
