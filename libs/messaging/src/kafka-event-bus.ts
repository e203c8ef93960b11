import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import type { TopicSpec } from '@app/contracts';
import { consumerLag, kafkaConsumerReplacements } from '@app/observability';
import { BrokerCircuit } from './broker-circuit';
import {
  BusUnavailableError,
  MessageTooLargeError,
  type EventBus,
  type InboundMessage,
  type OutboundRecord,
  type SubscribeOptions,
  type Subscription,
} from './event-bus';
import { MembershipWatch } from './membership-watch';
import { OffsetCommitter, type TopicPartitionOffset } from './offset-committer';
import { pinnedPartitionAssigner } from './pinned-partition-assigner';
import { ProduceBatcher, type TopicMessages } from './produce-batcher';
import { retryTransient } from './retry-transient';
import { DeadlineExceededError, withDeadline } from './with-deadline';
import type { KafkaConnection } from './kafka-connection';
import { fixKafkajsIdleLoop } from './kafkajs-idle-loop';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  topics: Record<string, TopicSpec>;
  /** A send that takes longer fails with BusUnavailableError and opens the circuit. */
  sendTimeoutMs: number;
  /** The broker's message.max.bytes: records and produce requests are kept under it. */
  maxMessageBytes: number;
  commitIntervalMs: number;
  /** Longest a fetch waits on an idle topic; data arriving answers it at once. */
  fetchMaxWaitMs: number;
  /** A consumer out of its group longer than this (crashed and not back, commits refused) is replaced. */
  membershipGraceMs?: number;
  ssl?: KafkaConnection['ssl'];
  sasl?: KafkaConnection['sasl'];
  onLog?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
}

/** kafkajs brings a consumer back within a session timeout or a few restart backoffs (seconds). */
const DEFAULT_MEMBERSHIP_GRACE_MS = 30_000;
const WATCHDOG_INTERVAL_MS = 1_000;

interface RunningConsumer {
  consumer: Consumer;
  /** In its group and running: commits go through it. */
  joined: boolean;
  inFlight: InFlight;
  /** Replaced or closed by this bus: kafkajs must not restart it. */
  retired: boolean;
}

const LEVEL = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug', [logLevel.NOTHING]: 'debug' } as const;

export class KafkaEventBus implements EventBus {
  readonly kind = 'kafka' as const;
  readonly maxMessageBytes: number;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly batcher: ProduceBatcher;
  private readonly circuit: BrokerCircuit;
  private readonly consumers = new Set<Consumer>();
  private producerConnected = false;
  private closed = false;

  constructor(private readonly options: KafkaBusOptions) {
    if (!fixKafkajsIdleLoop()) options.onLog?.('warn', 'kafkajs is not the version its idle-loop fix was written for; the fix is not applied', {});
    this.maxMessageBytes = options.maxMessageBytes;
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
      connectionTimeout: 3000,
      requestTimeout: 10000,
      // Consumers restart after any crash: a service must come back by itself when the broker does.
      retry: { initialRetryTime: 200, retries: 5, restartOnFailure: async () => true },
    });
    // acks=all, no linger: a lost request is a failed user request, and batching comes from the
    // batcher coalescing concurrent sends rather than from waiting.
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    this.producer.on(this.producer.events.CONNECT, () => (this.producerConnected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.producerConnected = false));
    this.admin = this.kafka.admin();
    this.batcher = new ProduceBatcher((batch) => this.produce(batch), options.maxMessageBytes);
    this.circuit = new BrokerCircuit(() => this.admin.fetchTopicMetadata({ topics: Object.keys(options.topics).slice(0, 1) }), {
      probeIntervalMs: 500,
      probeTimeoutMs: 2000,
      onChange: (open, reason) =>
        options.onLog?.(open ? 'error' : 'info', open ? 'Kafka unreachable: failing sends fast' : 'Kafka reachable again', { reason }),
    });
  }

  async connect(): Promise<void> {
    await this.admin.connect();
    await this.ensureTopics();
    await this.producer.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.circuit.stop();
    await Promise.allSettled([...this.consumers].map((c) => c.disconnect()));
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  isConnected(): boolean {
    return this.producerConnected && !this.circuit.isOpen;
  }

  async send(topic: string, records: OutboundRecord[]): Promise<void> {
    if (this.circuit.isOpen) throw new BusUnavailableError('Kafka is unreachable (circuit open)');
    try {
      await withDeadline(this.batcher.send(topic, records), this.options.sendTimeoutMs, `Kafka send to ${topic}`);
    } catch (err) {
      if (err instanceof MessageTooLargeError) throw err;
      const reason = (err as Error).message;
      // A broker that neither answers nor refuses within the deadline is as good as gone.
      if (err instanceof DeadlineExceededError || isConnectionError(err)) this.circuit.trip(reason);
      throw new BusUnavailableError(`Kafka send to ${topic} failed: ${reason}`);
    }
  }

  private async produce(batch: TopicMessages[]): Promise<void> {
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: batch.map(({ topic, messages }) => ({
          topic,
          messages: messages.map((r) => ({ key: r.key ?? null, value: r.value, headers: r.headers, partition: r.partition })),
        })),
      });
    } catch (err) {
      if (/MESSAGE_TOO_LARGE|larger than the maximum/i.test(`${(err as { type?: string }).type} ${(err as Error).message}`)) {
        throw new MessageTooLargeError(
          batch.reduce((n, t) => n + t.messages.reduce((m, r) => m + r.value.length, 0), 0),
          this.maxMessageBytes,
        );
      }
      throw err;
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    // Where each partition starts at the consumer's next join. kafkajs restarts a crashed consumer,
    // which joins afresh and starts where the group's committed offsets say, so:
    // - a work group new to a partition (nothing committed) starts at the end of the log as it was
    //   before this consumer joined, and commits that start at once: a consumer restarting before
    //   the group's first commit would start at the end again and skip what it was handling (the
    //   first retrain request of a fresh system, its trainer killed mid-run);
    // - a group that never commits (broadcast, one per process) resumes after what this process
    //   handled, instead of replaying a state topic from the start (workers swapping back through
    //   every older model) or skipping what arrived meanwhile (replies).
    const startAt = new Map<string, TopicPartitionOffset>();
    if (options.commitOffsets) {
      const newOnly = options.topics.filter((t) => !t.fromBeginning).map((t) => t.topic);
      for (const s of await this.uncommittedEnds(options.groupId, newOnly)) startAt.set(`${s.topic}:${s.partition}`, s);
    }
    const log = (level: 'warn' | 'error', message: string, fields: Record<string, unknown>) =>
      this.options.onLog?.(level, message, { group: options.groupId, ...fields });
    const watch = new MembershipWatch(this.options.membershipGraceMs ?? DEFAULT_MEMBERSHIP_GRACE_MS);
    let current: RunningConsumer | undefined;
    const committer = new OffsetCommitter(
      async (offsets) => {
        // kafkajs silently commits nothing while it restarts a crashed consumer: hold the offsets until it joined again.
        if (!current?.joined) throw new Error('the consumer is not in its group (restarting)');
        await current.consumer.commitOffsets(offsets);
        watch.member();
      },
      (err, offsets) => {
        watch.commitFailed(Date.now(), err);
        log('warn', 'offset commit failed; retrying', { error: err.message, partitions: offsets.length });
      },
    );
    const launch = async (joinTimeoutMs?: number): Promise<RunningConsumer> => {
      const run: RunningConsumer = { consumer: undefined as unknown as Consumer, joined: false, inFlight: new InFlight(), retired: false };
      const consumer = this.kafka.consumer({
        groupId: options.groupId,
        // The broker's minimum (group.min.session.timeout.ms): a dead member's partitions, and a group
        // re-forming after a broker restart, wait this long before they are served again.
        sessionTimeout: 6000,
        heartbeatInterval: 1000,
        rebalanceTimeout: 6000,
        minBytes: options.fetch?.minBytes ?? 1,
        maxWaitTimeInMs: options.fetch?.maxWaitMs ?? this.options.fetchMaxWaitMs,
        allowAutoTopicCreation: false,
        // A consumer this bus retired or closed stays gone, whatever kafkajs still had running in it.
        retry: { retries: 5, restartOnFailure: async () => !run.retired },
        ...(options.partitions ? { partitionAssigners: [pinnedPartitionAssigner(options.partitions)] } : {}),
      });
      run.consumer = consumer;
      this.consumers.add(consumer);
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        watch.member();
        const assigned = payload.memberAssignment as Record<string, number[]>;
        const mine = (topic: string, partition: number) => assigned[topic]?.includes(partition) ?? false;
        for (const s of startAt.values()) if (mine(s.topic, s.partition)) consumer.seek(s);
        if (!options.commitOffsets) return;
        committer.retain(mine);
        // The first join only: from then on the group's commits say where to start.
        for (const s of startAt.values()) if (mine(s.topic, s.partition)) committer.startAt(s.topic, s.partition, s.offset);
        startAt.clear();
        // kafkajs counts the consumer as running only once the join's promise has resolved.
        setImmediate(() => {
          run.joined = true;
          void committer.flush();
        });
      });
      // Before a rebalance hands partitions to another member, commit what this one handled.
      if (options.commitOffsets) consumer.on(consumer.events.REBALANCING, () => void committer.flush());
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        run.joined = false;
        if (run.retired) return;
        watch.crashed(Date.now(), payload.error.message);
        log('error', 'consumer crashed', { error: payload.error.message, restart: payload.restart });
      });
      const firstJoin = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      try {
        await consumer.connect();
        for (const t of options.topics) await consumer.subscribe({ topic: t.topic, fromBeginning: t.fromBeginning });
        const partitions = options.topics.reduce((n, t) => n + (options.partitions?.[t.topic]?.length ?? this.options.topics[t.topic]?.partitions ?? 1), 0);
        await consumer.run({
          partitionsConsumedConcurrently: partitions,
          eachBatchAutoResolve: false,
          autoCommit: false,
          eachBatch: async ({ batch, heartbeat, resolveOffset }) => {
            // Once closing, a batch kafkajs still hands over (fetched before the pause, or of another
            // partition after the last one in flight finished) is left alone: not handled, not
            // resolved, not committed, so the member that takes the partition handles it, once.
            if (batch.messages.length === 0 || run.inFlight.closed) return;
            const messages: InboundMessage[] = batch.messages.map((m) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key?.toString() ?? null,
              value: m.value,
              headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v ?? '')])),
            }));
            await run.inFlight.run(() => options.handleBatch(messages, heartbeat));
            resolveOffset(batch.lastOffset());
            if (options.commitOffsets) committer.handled(batch.topic, batch.partition, batch.lastOffset());
            else
              startAt.set(`${batch.topic}:${batch.partition}`, {
                topic: batch.topic,
                partition: batch.partition,
                offset: (BigInt(batch.lastOffset()) + 1n).toString(),
              });
            consumerLag.set({ topic: batch.topic, partition: String(batch.partition), group: options.groupId }, Number(batch.offsetLag()));
          },
        });
        await (joinTimeoutMs === undefined ? firstJoin : withDeadline(firstJoin, joinTimeoutMs, `joining consumer group ${options.groupId}`));
      } catch (err) {
        await this.retire(run, options);
        throw err;
      }
      return run;
    };

    current = await launch();
    if (options.commitOffsets) committer.start(this.options.commitIntervalMs);
    let closing = false;
    let replacing: Promise<void> | undefined;
    // A consumer out of its group for longer than kafkajs takes to bring one back is replaced by a
    // new one that joins afresh. The new one starts each partition it gets where the old one got
    // to (the group may hold no commit for it, and "latest" would skip what came meanwhile) and
    // commits that; partitions it does not get are the new owner's, from the group's commits.
    const replace = async (reason: string) => {
      log('error', 'Kafka consumer stuck out of its group; replacing it', { reason });
      kafkaConsumerReplacements.inc({ group: options.groupId });
      const old = current;
      current = undefined;
      if (old) await this.retire(old, options);
      for (const o of committer.pendingOffsets()) startAt.set(`${o.topic}:${o.partition}`, o);
      watch.member();
      try {
        current = await launch(this.options.membershipGraceMs ?? DEFAULT_MEMBERSHIP_GRACE_MS);
      } catch (err) {
        watch.crashed(Date.now(), `replacement failed: ${(err as Error).message}`);
        log('warn', 'replacing the Kafka consumer failed; trying again after the grace', { error: (err as Error).message });
      }
    };
    const watchdog = setInterval(() => {
      const reason = watch.stuck(Date.now());
      if (reason === undefined || closing || replacing || this.closed) return;
      replacing = replace(reason).finally(() => (replacing = undefined));
    }, WATCHDOG_INTERVAL_MS);
    watchdog.unref();
    return {
      close: async () => {
        closing = true;
        clearInterval(watchdog);
        await replacing;
        const run = current;
        if (!run) return;
        // kafkajs commits nothing once stopped, so: no new batches, let running ones finish, commit, leave.
        run.inFlight.close();
        run.consumer.pause(options.topics.map((t) => ({ topic: t.topic })));
        await run.inFlight.idle();
        if (options.commitOffsets) await committer.stop();
        await this.retire(run, options);
      },
    };
  }

  /** Stops a consumer for good: no new batches, running ones finished, out of its group. */
  private async retire(run: RunningConsumer, options: SubscribeOptions): Promise<void> {
    run.retired = true;
    run.joined = false;
    run.inFlight.close();
    this.consumers.delete(run.consumer);
    try {
      run.consumer.pause(options.topics.map((t) => ({ topic: t.topic })));
    } catch {
      // never ran: nothing to pause
    }
    await run.inFlight.idle();
    await run.consumer
      .disconnect()
      .catch((err: Error) => this.options.onLog?.('warn', 'Kafka consumer disconnect failed', { group: options.groupId, error: err.message }));
  }

  /** The partitions of `topics` the group never committed for, each at the end of its log now. */
  private async uncommittedEnds(groupId: string, topics: string[]): Promise<TopicPartitionOffset[]> {
    if (topics.length === 0) return [];
    const committed = await retryTransient(() => this.admin.fetchOffsets({ groupId, topics }));
    const uncommitted = new Set(committed.flatMap((t) => t.partitions.filter((p) => Number(p.offset) < 0).map((p) => `${t.topic}:${p.partition}`)));
    const ends = await Promise.all(
      topics.map(async (topic) =>
        (await retryTransient(() => this.admin.fetchTopicOffsets(topic))).map((o) => ({ topic, partition: o.partition, offset: o.high })),
      ),
    );
    return ends.flat().filter((e) => uncommitted.has(`${e.topic}:${e.partition}`));
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
      topics: [{ topic, fromBeginning: true }],
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

/** Counts running batch handlers so a closing subscription can wait for them. */
class InFlight {
  private running = 0;
  private waiters: Array<() => void> = [];
  /** Set when the consumer is closing: no new batch starts. */
  closed = false;

  close(): void {
    this.closed = true;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work();
    } finally {
      if (--this.running === 0) for (const w of this.waiters.splice(0)) w();
    }
  }

  idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Errors that say the broker cannot be reached, as opposed to a request it refused. */
function isConnectionError(err: unknown): boolean {
  const e = err as { name?: string; type?: string; message?: string; originalError?: unknown };
  if (
    [
      'KafkaJSConnectionError',
      'KafkaJSNumberOfRetriesExceeded',
      'KafkaJSRequestTimeoutError',
      'KafkaJSBrokerNotFound',
      'KafkaJSConnectionClosedError',
    ].includes(e.name ?? '')
  ) {
    return true;
  }
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|Connection (error|timeout|closed)/i.test(e.message ?? '');
}
