import { randomUUID } from 'node:crypto';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { Topic } from '@app/contracts';
import type { JsonLogger } from '@app/observability';
import { consumeContract, type Rejection } from './contract-consumer';
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
}

/**
 * A Nest microservice transport over our EventBus. Nest discovers the @EventPattern handlers;
 * this binds each to its own consumer group and runs it through the contract consumer, so
 * validation and dead-lettering happen before any handler code and in every transport.
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
  ) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await Promise.all(this.handlerChains().map(([pattern, handler, n]) => this.bind(pattern, handler, n)));
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /**
   * Nest chains several event handlers of one pattern through `next`, and calling the head calls
   * the rest with the same data. Each gets a subscription of its own here (a batch handler and a
   * per-event handler cannot share data), so the chain is unlinked.
   */
  private handlerChains(): Array<[string, MessageHandler, number]> {
    const chains: Array<[string, MessageHandler, number]> = [];
    for (const [pattern, head] of this.getHandlers()) {
      const handlers: MessageHandler[] = [];
      for (let h: MessageHandler | undefined = head; h; h = h.next) handlers.push(h);
      handlers.forEach((h, n) => {
        h.next = undefined;
        chains.push([pattern, h, n]);
      });
    }
    return chains;
  }

  private async bind(pattern: string, handler: MessageHandler, n: number): Promise<void> {
    const opts = (handler.extras ?? {}) as EventPatternOptions;
    const broadcast = opts.broadcast ?? false;
    const base = n === 0 ? `${this.service}.${pattern}` : `${this.service}.${pattern}.${n}`;
    // A broadcast group is new on every start (and never commits), so it can never resume from
    // offsets an earlier process with the same instance id left behind.
    const groupId = broadcast ? `${base}.${this.instanceId}.${this.startId}` : base;
    const subscription = await consumeContract(this.bus, this.publisher, this.jsonLogger, {
      topic: pattern as Topic,
      groupId,
      fromBeginning: opts.fromBeginning ?? broadcast,
      commitOffsets: !broadcast,
      handle: async (events) => {
        if (opts.batch) return (await this.invoke(handler, events)) as Rejection[] | void;
        for (const event of events) await this.invoke(handler, event);
      },
    });
    this.subscriptions.push(subscription);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.subscriptions.map((s) => s.close()));
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
