import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBus, InboundMessage, OutboundRecord, SubscribeOptions, Subscription } from './event-bus';

interface TopicLog {
  nextOffset: number;
  /** Plain topics keep the newest MAX_RETAINED records (like retention); compacted ones the newest record per key. */
  records: InboundMessage[];
  compacted: boolean;
}

interface Group {
  topic: string;
  cursor: number;
  members: Array<SubscribeOptions['handleBatch']>;
  turn: number;
  draining: boolean;
}

const BATCH = 100;
/** Embedded mode keeps recent history only, like a retention limit; memory stays bounded. */
const MAX_RETAINED = 10_000;

/**
 * In-process stand-in for Kafka used by the embedded mode and unit tests: per-topic logs,
 * consumer groups with committed cursors, members of a group sharing its messages, and
 * compacted topics optionally persisted to disk so the registry survives a restart.
 */
export class InMemoryEventBus implements EventBus {
  readonly kind = 'memory' as const;
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, Group>();
  private connected = false;

  constructor(
    private readonly compactedTopics: ReadonlySet<string> = new Set(),
    private readonly persistDir?: string,
  ) {}

  async connect(): Promise<void> {
    if (this.persistDir) this.restore(this.persistDir);
    this.connected = true;
  }

  async close(): Promise<void> {
    this.connected = false;
    for (const group of this.groups.values()) group.members = [];
  }

  isConnected(): boolean {
    return this.connected;
  }

  async send(topic: string, records: OutboundRecord[]): Promise<void> {
    for (const record of records) {
      this.append(topic, record);
      if (this.persistDir && this.compactedTopics.has(topic)) {
        mkdirSync(this.persistDir, { recursive: true });
        appendFileSync(join(this.persistDir, `${topic}.jsonl`), JSON.stringify(record) + '\n');
      }
    }
    for (const group of this.groups.values()) if (group.topic === topic) this.drain(group);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const log = this.log(options.topic);
    let group = this.groups.get(options.groupId);
    if (!group) {
      const cursor = options.fromBeginning ? 0 : log.nextOffset;
      group = { topic: options.topic, cursor, members: [], turn: 0, draining: false };
      this.groups.set(options.groupId, group);
    }
    const member = options.handleBatch;
    group.members.push(member);
    this.drain(group);
    const g = group;
    return { close: async () => void (g.members = g.members.filter((m) => m !== member)) };
  }

  async readToEnd(topic: string): Promise<InboundMessage[]> {
    return [...this.log(topic).records];
  }

  private log(topic: string): TopicLog {
    let log = this.topics.get(topic);
    if (!log) {
      log = { nextOffset: 0, records: [], compacted: this.compactedTopics.has(topic) };
      this.topics.set(topic, log);
    }
    return log;
  }

  private append(topic: string, record: OutboundRecord): void {
    const log = this.log(topic);
    const message: InboundMessage = {
      topic,
      partition: 0,
      offset: String(log.nextOffset++),
      key: record.key ?? null,
      value: Buffer.from(record.value),
      headers: { ...record.headers },
    };
    if (log.compacted && message.key !== null) log.records = log.records.filter((r) => r.key !== message.key);
    log.records.push(message);
    if (!log.compacted && log.records.length > MAX_RETAINED) log.records.shift();
  }

  /** Delivers pending records to one member at a time, in order, the way a single partition does. */
  private drain(group: Group): void {
    if (group.draining || group.members.length === 0) return;
    group.draining = true;
    setImmediate(async () => {
      try {
        const log = this.log(group.topic);
        for (;;) {
          const pending = log.records.filter((r) => Number(r.offset) >= group.cursor).slice(0, BATCH);
          const member = group.members[group.turn++ % Math.max(group.members.length, 1)];
          if (pending.length === 0 || !member) break;
          try {
            await member(pending, async () => undefined);
            group.cursor = Number(pending[pending.length - 1].offset) + 1;
          } catch {
            // Same as an uncommitted Kafka batch: redelivered, after a pause so a broken handler cannot spin.
            await new Promise((r) => setTimeout(r, 1000));
          }
        }
      } finally {
        group.draining = false;
        const log = this.log(group.topic);
        if (group.members.length > 0 && log.records.some((r) => Number(r.offset) >= group.cursor)) this.drain(group);
      }
    });
  }

  private restore(dir: string): void {
    for (const topic of this.compactedTopics) {
      const file = join(dir, `${topic}.jsonl`);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line.trim()) this.append(topic, JSON.parse(line) as OutboundRecord);
      }
    }
  }
}
