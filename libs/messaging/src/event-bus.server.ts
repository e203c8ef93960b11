import { randomUUID } from 'node:crypto';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { Topic } from '@app/contracts';
import type { JsonLogger } from '@app/observability';
import { consumeContract, type ContractRoute, type Rejection } from './contract-consumer';
import type { EventBus, Subscription } from './event-bus';
import type { EventPublisher } from './event-publisher';

/** Options a handler declares next to its topic: `@EventPattern(TOPICS.modelReady, { broadcast: true })`. */
export interface EventPatternOptions {
  /** Every instance receives every event (its own consumer group, never committed), e.g. model swaps and replies. */
  broadcast?: boolean;
  /** Replay the topic from the start for a new group (state topics). Defaults to broadcast's value. */
  fromBeginning?: boolean;
  /** The handler takes the whole batch (an array of envelopes) instead of one envelope. */
  batch?: boolean;
  /** Bulk consumers (indexing) trade a little latency for larger fetches. */
  throughput?: boolean;
  /** Broadcast only: read just this instance's reply partition of the topic (see replyPartitionFor). */
  replyPartitionOnly?: boolean;
}

/** Large fetches for bulk consumers: fewer, fuller requests to the broker and to Elasticsearch. */
const THROUGHPUT_FETCH = { minBytes: 64 * 1024, maxWaitMs: 200 };

/**
 * A Nest microservice transport over our EventBus. Nest discovers the @EventPattern handlers;
 * this runs them through the contract consumer, so validation and dead-lettering happen before
 * any handler code and in every transport. A service has at most two consumer groups: one it
 * shares with its replicas (work) and one of its own (broadcast state), each reading all of its
 * topics; every extra group is another poller keeping the broker busy.
 */
export class EventBusServer extends Server implements CustomTransportStrategy {
  /** Handler errors reach the contract consumer, which retries or dead-letters; Nest must not just log them. */
  override readonly propagatesEventHandlerErrors = true;
  private readonly subscriptions: Subscription[] = [];
  private readonly startId = randomUUID().slice(0, 8);

  constructor(
    private readonly bus: EventBus,
    private readonly publisher: EventPublisher,
    private readonly jsonLogger: JsonLogger,
    private readonly service: string,
    private readonly instanceId: string,
    private readonly replyPartition: number,
  ) {
    super();
  }

  /** The group replicas of this service share; e.g. every inference worker joins `inference-worker`. */
  static sharedGroup(service: string): string {
    return service;
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      const shared: ContractRoute[] = [];
      const broadcast: ContractRoute[] = [];
      let throughput = false;
      const pinned: Record<string, number[]> = {};
      for (const [pattern, handler] of this.handlerChains()) {
        const opts = (handler.extras ?? {}) as EventPatternOptions;
        const isBroadcast = opts.broadcast ?? false;
        throughput ||= !isBroadcast && (opts.throughput ?? false);
        if (isBroadcast && opts.replyPartitionOnly) pinned[pattern] = [this.replyPartition];
        (isBroadcast ? broadcast : shared).push({
          topic: pattern as Topic,
          fromBeginning: opts.fromBeginning ?? isBroadcast,
          handle: async (events) => {
            if (opts.batch) return (await this.invoke(handler, events)) as Rejection[] | void;
            for (const event of events) await this.invoke(handler, event);
          },
        });
      }
      const consume = (
        groupId: string,
        routes: ContractRoute[],
        options: { commitOffsets: boolean; fetch?: typeof THROUGHPUT_FETCH; partitions?: Record<string, number[]> },
      ) => (routes.length === 0 ? undefined : consumeContract(this.bus, this.publisher, this.jsonLogger, { groupId, routes, ...options }));
      // A broadcast group is new on every start (and never commits), so it can never resume from
      // offsets an earlier process with the same instance id left behind.
      const subscriptions = await Promise.all([
        consume(EventBusServer.sharedGroup(this.service), shared, { commitOffsets: true, fetch: throughput ? THROUGHPUT_FETCH : undefined }),
        consume(`${this.service}.${this.instanceId}.${this.startId}`, broadcast, {
          commitOffsets: false,
          partitions: Object.keys(pinned).length > 0 ? pinned : undefined,
        }),
      ]);
      for (const s of subscriptions) if (s) this.subscriptions.push(s);
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /**
   * Nest chains several event handlers of one pattern through `next`, and calling the head calls
   * the rest with the same data. Each becomes a route of its own here, so the chain is unlinked.
   */
  private handlerChains(): Array<[string, MessageHandler]> {
    const chains: Array<[string, MessageHandler]> = [];
    for (const [pattern, head] of this.getHandlers()) {
      for (let h: MessageHandler | undefined = head; h;) {
        const next: MessageHandler | undefined = h.next;
        h.next = undefined;
        chains.push([pattern, h]);
        h = next;
      }
    }
    return chains;
  }

  /** Commits what was handled and leaves the groups. */
  async close(): Promise<void> {
    await Promise.allSettled(this.subscriptions.splice(0).map((s) => s.close()));
  }

  on(): never {
    throw new Error('EventBusServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  private async invoke(handler: (data: unknown) => unknown, data: unknown): Promise<unknown> {
    const result = await handler(data);
    return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
  }
}
