import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import type { TopicSpec } from '@app/contracts';
import { consumerLag } from '@app/observability';
import { retryTransient } from './retry-transient';
import type { KafkaConnection } from './kafka-connection';
import { BusUnavailableError, type EventBus, type InboundMessage, type OutboundRecord, type SubscribeOptions, type Subscription } from './event-bus';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  topics: Record<string, TopicSpec>;
  ssl?: KafkaConnection['ssl'];
  sasl?: KafkaConnection['sasl'];
  onLog?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
}

const LEVEL = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug', [logLevel.NOTHING]: 'debug' } as const;

export class KafkaEventBus implements EventBus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly consumers = new Set<Consumer>();
  private producerConnected = false;

  constructor(private readonly options: KafkaBusOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      ssl: options.ssl,
      sasl: options.sasl,
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        const { message, ...fields } = entry.log;
        options.onLog?.(LEVEL[entry.level], `kafkajs: ${message}`, { namespace: entry.namespace, ...fields });
      },
      // Fail fast enough for the gateway to answer 503 instead of hanging on a dead broker.
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: { initialRetryTime: 200, retries: 5 },
    });
    // linger 0 and acks=all: a prediction request is latency-bound, and a lost one is a failed user request.
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    this.producer.on(this.producer.events.CONNECT, () => (this.producerConnected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.producerConnected = false));
    this.admin = this.kafka.admin();
  }

  async connect(): Promise<void> {
    await this.admin.connect();
    await this.ensureTopics();
    await this.producer.connect();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => c.disconnect()));
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  isConnected(): boolean {
    return this.producerConnected;
  }

  async send(topic: string, records: OutboundRecord[]): Promise<void> {
    try {
      await this.producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({ key: r.key ?? null, value: r.value, headers: r.headers })),
      });
    } catch (err) {
      throw new BusUnavailableError(`Kafka send to ${topic} failed: ${(err as Error).message}`);
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 10000,
      heartbeatInterval: 1000,
      rebalanceTimeout: 10000,
      maxWaitTimeInMs: 250,
    });
    this.consumers.add(consumer);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning });
    const spec = this.options.topics[options.topic];
    await consumer.run({
      partitionsConsumedConcurrently: spec?.partitions ?? 1,
      eachBatchAutoResolve: false,
      autoCommit: options.commitOffsets,
      // Commit resolved offsets every 500 ms rather than after every batch: a commit per batch
      // puts a broker round trip on every request's path. Only handled batches are ever
      // resolved, so a crash redelivers at most that window (handlers are idempotent).
      autoCommitInterval: 500,
      eachBatch: async ({ batch, heartbeat, resolveOffset, commitOffsetsIfNecessary }) => {
        if (batch.messages.length === 0) return;
        const messages: InboundMessage[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key?.toString() ?? null,
          value: m.value,
          headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v ?? '')])),
        }));
        await options.handleBatch(messages, heartbeat);
        resolveOffset(batch.lastOffset());
        if (options.commitOffsets) await commitOffsetsIfNecessary();
        consumerLag.set({ topic: batch.topic, partition: String(batch.partition), group: options.groupId }, Number(batch.offsetLag()));
      },
    });
    await joined;
    return {
      close: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async readToEnd(topic: string): Promise<InboundMessage[]> {
    const offsets = await retryTransient(() => this.admin.fetchTopicOffsets(topic));
    const remaining = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high) - 1n]));
    if (remaining.size === 0) return [];
    const collected: InboundMessage[] = [];
    const groupId = `reader.${topic}.${randomUUID()}`;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const subscription = await this.subscribe({
      groupId,
      topic,
      fromBeginning: true,
      commitOffsets: false,
      handleBatch: async (messages) => {
        for (const m of messages) {
          collected.push(m);
          if (remaining.get(m.partition) !== undefined && BigInt(m.offset) >= remaining.get(m.partition)!) remaining.delete(m.partition);
        }
        if (remaining.size === 0) done();
      },
    });
    await finished;
    await subscription.close();
    return collected.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  }

  private async ensureTopics(): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = Object.entries(this.options.topics).filter(([name]) => !existing.has(name));
    if (missing.length === 0) return;
    await this.admin
      .createTopics({
        waitForLeaders: true,
        topics: missing.map(([topic, spec]) => ({
          topic,
          numPartitions: spec.partitions,
          replicationFactor: -1,
          configEntries: spec.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
        })),
      })
      .catch((err: Error) => {
        // Another service may have created them a moment earlier.
        if (!/already exists/i.test(err.message)) throw err;
      });
  }
}
