import { HEADERS, decodeEvent, type DeadLetter, type EventEnvelope, type PayloadOf, type Topic, TOPICS } from '@app/contracts';
import {
  type JsonLogger,
  type Span,
  SpanKind,
  contextOf,
  endSpan,
  eventsConsumed,
  runWithRequestId,
  sampled,
  startSpan,
  traceparentOf,
  tracingActive,
  withSpan,
} from '@app/observability';
import { BusUnavailableError, RetryableError, type EventBus, type InboundMessage, type SubscribeOptions, type Subscription } from './event-bus';
import type { EventPublisher } from './event-publisher';

/** Their handlers make spans per request of a batch record; every other event gets one here. */
const TRACED_BY_HANDLER = new Set<string>([TOPICS.predictionBatchRequested, TOPICS.predictionBatchMade]);

/** With tracing on, a single sampled event's handling is a span continuing the event's producer (so what it publishes continues the trace). */
function consumerSpan(topic: string, groupId: string, events: Array<EventEnvelope<unknown>>): Span | undefined {
  if (!tracingActive() || events.length !== 1 || TRACED_BY_HANDLER.has(topic) || !sampled(events[0].traceparent)) return undefined;
  return startSpan(`process ${topic}`, {
    kind: SpanKind.CONSUMER,
    parent: contextOf(events[0].traceparent),
    attributes: {
      'messaging.system': 'kafka',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': groupId,
      'request.id': events[0].request_id,
    },
  });
}

export interface Rejection {
  eventId: string;
  reason: string;
}

export interface ContractRoute<T extends Topic = Topic> {
  topic: T;
  fromBeginning: boolean;
  /**
   * Handles valid events of one batch. Returning rejections parks those events; throwing
   * RetryableError retries the whole batch with backoff until it succeeds; any other error
   * is retried a few times per event, then the event is parked.
   */
  handle: (events: Array<EventEnvelope<PayloadOf<T>>>) => Promise<void | Rejection[]>;
}

export interface ContractConsumerOptions {
  groupId: string;
  commitOffsets: boolean;
  fetch?: SubscribeOptions['fetch'];
  partitions?: SubscribeOptions['partitions'];
  /** Every route is read by one consumer in one group; a topic may have several routes. */
  routes: ContractRoute[];
}

const ATTEMPTS = 3;
/** Short enough that a sink coming back is noticed within seconds. */
const MAX_BACKOFF_MS = 5_000;
/** Reasons and parked values are bounded: a dead letter must not become the next oversized message. */
const MAX_PARKED_VALUE = 64 * 1024;
const MAX_REASON = 2_000;

/** Waits in slices, heartbeating, so a long outage does not get this consumer evicted from its group. */
async function backoff(ms: number, heartbeat: () => Promise<void>): Promise<void> {
  for (let left = ms; left > 0; left -= 1000) {
    await new Promise((r) => setTimeout(r, Math.min(left, 1000)));
    await heartbeat().catch(() => undefined);
  }
}

/**
 * Subscribes one consumer group to its topics and enforces each topic's contract: malformed
 * messages and events that keep failing go to the dead-letter topic with the reason, and the
 * offset moves on only after every message of the batch was handled or parked.
 */
export async function consumeContract(bus: EventBus, publisher: EventPublisher, logger: JsonLogger, options: ContractConsumerOptions): Promise<Subscription> {
  const { groupId } = options;
  const routes = new Map<string, ContractRoute[]>();
  for (const route of options.routes) {
    const list = routes.get(route.topic) ?? [];
    if (list.length > 0 && list[0].fromBeginning !== route.fromBeginning) {
      throw new Error(`group ${groupId}: handlers of ${route.topic} disagree on fromBeginning`);
    }
    routes.set(route.topic, [...list, route]);
  }

  const park = async (message: InboundMessage, reason: string): Promise<void> => {
    const topic = message.topic;
    const requestId = message.headers[HEADERS.requestId] || 'none';
    const value = message.value?.toString() ?? null;
    const letter: DeadLetter = {
      source_topic: topic,
      partition: message.partition,
      offset: message.offset,
      consumer_group: groupId,
      reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}… (${reason.length} chars)` : reason,
      key: message.key,
      value: value !== null && value.length > MAX_PARKED_VALUE ? `${value.slice(0, MAX_PARKED_VALUE)}… (truncated, ${value.length} chars)` : value,
      headers: message.headers,
    };
    runWithRequestId(requestId, () => logger.event('warn', 'event dead-lettered', { topic, group: groupId, offset: message.offset, reason: letter.reason }));
    eventsConsumed.inc({ topic, group: groupId, outcome: 'dead_lettered' });
    if (topic === TOPICS.deadLetter) return; // never loop a broken dead letter back onto its own topic
    await publisher.publish(TOPICS.deadLetter, letter, { requestId, key: message.key ?? undefined });
  };

  const runHandler = async (topic: string, route: ContractRoute, events: Array<EventEnvelope<unknown>>, heartbeat: () => Promise<void>) => {
    // A batch mixes requests, so only a single event lends its request id to the handler's logs.
    const requestId = events.length === 1 ? events[0].request_id : `batch:${events.length}`;
    const clientRequestId = events.length === 1 ? events[0].client_request_id : undefined;
    const span = consumerSpan(topic, groupId, events);
    // What the handler publishes continues the event's trace, sampled or not.
    const traceparent = span ? traceparentOf(span) : events.length === 1 ? events[0].traceparent : undefined;
    const handle = () => runWithRequestId(requestId, () => route.handle(events as never), clientRequestId, traceparent);
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const rejections = (await (span ? withSpan(span, handle) : handle())) ?? [];
        endSpan(span, rejections.length > 0 ? new Error(rejections[0].reason) : undefined);
        return { rejections };
      } catch (err) {
        eventsConsumed.inc({ topic, group: groupId, outcome: 'retried' }, events.length);
        // The broker being unreachable (e.g. a worker's reply during an outage) is transient too.
        const retryable = err instanceof RetryableError || err instanceof BusUnavailableError;
        logger.event('warn', 'event handler failed', { topic, group: groupId, attempt, retryable, error: (err as Error).message });
        // Only real failures count towards parking; waiting out an outage does not.
        if (!retryable && ++failures >= ATTEMPTS) {
          endSpan(span, err);
          return { error: err as Error };
        }
        await backoff(Math.min(MAX_BACKOFF_MS, 100 * 2 ** (retryable ? attempt : failures)), heartbeat);
      }
    }
  };

  const handleRoute = async (
    topic: string,
    route: ContractRoute,
    valid: Array<{ message: InboundMessage; event: EventEnvelope<unknown> }>,
    heartbeat: () => Promise<void>,
  ) => {
    const outcome = await runHandler(
      topic,
      route,
      valid.map((v) => v.event),
      heartbeat,
    );
    if ('error' in outcome) {
      // The batch failed as a whole; retry each event alone so one poison event cannot park its neighbours.
      for (const item of valid) {
        const single = valid.length === 1 ? outcome : await runHandler(topic, route, [item.event], heartbeat);
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
  };

  return bus.subscribe({
    groupId,
    topics: [...routes].map(([topic, list]) => ({ topic, fromBeginning: list[0].fromBeginning })),
    commitOffsets: options.commitOffsets,
    fetch: options.fetch,
    partitions: options.partitions,
    handleBatch: async (messages, heartbeat) => {
      const topic = messages[0].topic as Topic;
      const valid: Array<{ message: InboundMessage; event: EventEnvelope<unknown> }> = [];
      for (const message of messages) {
        const decoded = decodeEvent(topic, message.value);
        if (decoded.ok) valid.push({ message, event: decoded.event });
        else await park(message, decoded.reason);
      }
      if (valid.length === 0) return;
      for (const route of routes.get(topic) ?? []) await handleRoute(topic, route, valid, heartbeat);
    },
  });
}
