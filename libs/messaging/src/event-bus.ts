/** A record as it sits on a topic, whichever transport carried it. */
export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface OutboundRecord {
  key?: string;
  value: string;
  headers: Record<string, string>;
  /** Pins the partition (reply routing); otherwise the key decides. */
  partition?: number;
}

export interface TopicSubscription {
  topic: string;
  /** Where a group with no committed offset starts: true replays the whole topic (state topics). */
  fromBeginning: boolean;
}

export interface SubscribeOptions {
  groupId: string;
  /** One consumer reads every topic of the group: fewer groups polling the broker. */
  topics: TopicSubscription[];
  /**
   * Commit offsets (work shared by a group, resumed after a restart). Broadcast readers of
   * state topics do not commit: a restarted worker must replay the whole model topic, not
   * resume after the last model it saw in a previous life. (A consumer kafkajs restarts inside
   * the process resumes after what it handled.)
   */
  commitOffsets: boolean;
  /**
   * Throughput consumers (the monitor) ask the broker to wait for more data per fetch; the
   * request path keeps the default, which answers as soon as one record is there.
   */
  fetch?: { minBytes?: number; maxWaitMs?: number };
  /** Read only these partitions of a topic (a broadcast group of one member); others: all partitions. */
  partitions?: Record<string, number[]>;
  /**
   * Called with consecutive messages of one topic-partition; offsets are committed only after
   * it resolves, so a crash or a thrown error redelivers rather than loses.
   */
  handleBatch: (messages: InboundMessage[], heartbeat: () => Promise<void>) => Promise<void>;
}

export interface Subscription {
  /** Commits what was handled and leaves the group. */
  close(): Promise<void>;
}

/**
 * The one interface the services talk to. Kafka in the distributed modes, an in-process
 * log in the embedded mode; handlers cannot tell them apart.
 */
export interface EventBus {
  readonly kind: 'kafka' | 'memory';
  connect(): Promise<void>;
  close(): Promise<void>;
  /** False while the broker is known to be unreachable: the gateway answers 503 without trying. */
  isConnected(): boolean;
  send(topic: string, records: OutboundRecord[]): Promise<void>;
  /** Resolves once the subscription receives messages (for Kafka: the group is joined). */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Every record currently on the topic, oldest first: how state topics are rebuilt at start-up. */
  readToEnd(topic: string): Promise<InboundMessage[]>;
  /** The largest record the broker accepts, in bytes (value, key and headers). */
  readonly maxMessageBytes: number;
}

export const EVENT_BUS = Symbol('EVENT_BUS');

/** The bus could not reach its broker; the gateway maps it to 503. */
export class BusUnavailableError extends Error {}

/** A record larger than the broker accepts: no retry can fix it. */
export class MessageTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`record of ${bytes} bytes exceeds the broker's message limit of ${limit} bytes (KAFKA_MAX_MESSAGE_BYTES)`);
  }
}

/** A failure worth retrying forever (e.g. Elasticsearch down): the message must not be parked. */
export class RetryableError extends Error {}

/** Bytes a record occupies in a Kafka record batch, near enough to compare with message.max.bytes. */
export function recordBytes(record: OutboundRecord): number {
  let bytes = Buffer.byteLength(record.value) + (record.key ? Buffer.byteLength(record.key) : 0) + 70;
  for (const [k, v] of Object.entries(record.headers)) bytes += Buffer.byteLength(k) + Buffer.byteLength(v) + 4;
  return bytes;
}
