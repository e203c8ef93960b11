import type { TopicSpec } from '@app/contracts';
import type { EventBus, InboundMessage, OutboundRecord, SubscribeOptions, Subscription } from './event-bus';

/**
 * An event bus whose topics and consumer groups all carry a prefix on the broker
 * (KAFKA_TOPIC_PREFIX), while the services keep the names of libs/contracts. Deployments, or test
 * runs, sharing one cluster then never see each other's events: each has its own registry,
 * offsets and dead letters, and a prefixed ACL can grant one of them its topics.
 */
export class NamespacedEventBus implements EventBus {
  constructor(
    private readonly inner: EventBus,
    private readonly prefix: string,
  ) {}

  /** The broker's names for a map of topic specs (what the inner bus creates). */
  static topicSpecs(specs: Record<string, TopicSpec>, prefix: string): Record<string, TopicSpec> {
    return Object.fromEntries(Object.entries(specs).map(([topic, spec]) => [prefix + topic, spec]));
  }

  get kind(): EventBus['kind'] {
    return this.inner.kind;
  }

  get maxMessageBytes(): number {
    return this.inner.maxMessageBytes;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  isConnected(): boolean {
    return this.inner.isConnected();
  }

  send(topic: string, records: OutboundRecord[]): Promise<void> {
    return this.inner.send(this.prefix + topic, records);
  }

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    const { partitions } = options;
    return this.inner.subscribe({
      ...options,
      groupId: this.prefix + options.groupId,
      topics: options.topics.map((t) => ({ ...t, topic: this.prefix + t.topic })),
      partitions: partitions && Object.fromEntries(Object.entries(partitions).map(([topic, p]) => [this.prefix + topic, p])),
      handleBatch: (messages, heartbeat) =>
        options.handleBatch(
          messages.map((m) => this.unprefixed(m)),
          heartbeat,
        ),
    });
  }

  async readToEnd(topic: string): Promise<InboundMessage[]> {
    return (await this.inner.readToEnd(this.prefix + topic)).map((m) => this.unprefixed(m));
  }

  private unprefixed(message: InboundMessage): InboundMessage {
    return { ...message, topic: message.topic.slice(this.prefix.length) };
  }
}
