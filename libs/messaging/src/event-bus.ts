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
}

export interface SubscribeOptions {
  groupId: string;
  topic: string;
  /** Where a group with no committed offset starts: true replays the whole topic (state topics). */
  fromBeginning: boolean;
  /**
   * Commit offsets (work shared by a group, resumed after a restart). Broadcast readers of
   * state topics do not commit: a restarted worker must replay the whole model topic, not
   * resume after the last model it saw in a previous life.
   */
  commitOffsets: boolean;
  /**
   * Called with consecutive messages of one partition; offsets are committed only after it
   * resolves, so a crash or a thrown error redelivers rather than loses.
   */
  handleBatch: (messages: InboundMessage[], heartbeat: () => Promise<void>) => Promise<void>;
}

export interface Subscription {
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
  isConnected(): boolean;
  send(topic: string, records: OutboundRecord[]): Promise<void>;
  /** Resolves once the subscription receives messages (for Kafka: the group is joined). */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Every record currently on the topic, oldest first: how state topics are rebuilt at start-up. */
  readToEnd(topic: string): Promise<InboundMessage[]>;
}

export const EVENT_BUS = Symbol('EVENT_BUS');

/** The bus could not reach its broker; the gateway maps it to 503. */
export class BusUnavailableError extends Error {}

/** A failure worth retrying forever (e.g. Elasticsearch down): the message must not be parked. */
export class RetryableError extends Error {}
