import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MessageTooLargeError,
  recordBytes,
  type EventBus,
  type InboundMessage,
  type OutboundRecord,
  type SubscribeOptions,
  type Subscription,
} from './event-bus';

export interface InMemoryBusOptions {
  compactedTopics?: ReadonlySet<string>;
  /** Where compacted topics are kept across restarts (the embedded registry). */
  persistDir?: string;
  /**
   * Bytes a plain topic keeps. Records every group has read are dropped first; past twice
   * this, the oldest go even if a stalled group has not read them (as Kafka's retention
   * would), and `onDrop` says so.
   */
  retainBytes?: number;
  /**
   * Of those, the bytes of records every group of the topic has read that stay, for a group that
   * joins later from the beginning (a service starting after its producers). Default: `retainBytes`
   * or 1 MiB, whichever is less; read records are otherwise memory nobody will ask for. A topic no
   * group reads yet keeps `retainBytes`.
   */
  retainReadBytes?: number;
  /**
   * How long a send waits for a slow group to make room before the topic drops records anyway
   * (twice `retainBytes` unread). The wait is the backpressure that slows producers to their
   * consumers' pace; the limit keeps a stalled consumer from stopping the producers.
   */
  backpressureMs?: number;
  maxMessageBytes?: number;
  onDrop?: (topic: string, records: number) => void;
}

interface TopicLog {
  /** Records in offset order; plain topics are contiguous, compacted ones have gaps. */
  records: InboundMessage[];
  bytes: number[];
  totalBytes: number;
  nextOffset: number;
  compacted: boolean;
}

type Handler = SubscribeOptions['handleBatch'];

interface Group {
  topic: string;
  cursor: number;
  members: Handler[];
  turn: number;
  draining: boolean;
  /** Settles when the batch being handled (if any) is done: a closing member waits for it. */
  current: Promise<void>;
}

const BATCH = 100;
/** A batch also stops at this many bytes (at least one record), as a Kafka fetch does: 100 batch replies of 1,000 rows each decode to hundreds of MB. */
const BATCH_BYTES = 1024 * 1024;
const DEFAULT_RETAIN_BYTES = 32 * 1024 * 1024;
const DEFAULT_RETAIN_READ_BYTES = 1024 * 1024;
const DEFAULT_BACKPRESSURE_MS = 2_000;

/**
 * In-process stand-in for Kafka used by the embedded mode and unit tests: per-topic logs,
 * consumer groups with committed cursors, members of a group sharing its messages, bounded
 * retention, and compacted topics optionally persisted to disk so the registry survives a restart.
 */
export class InMemoryEventBus implements EventBus {
  readonly kind = 'memory' as const;
  readonly maxMessageBytes: number;
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, Group>();
  private readonly compactedTopics: ReadonlySet<string>;
  private readonly retainBytes: number;
  private readonly retainReadBytes: number;
  private readonly backpressureMs: number;
  /** Sends waiting for room; woken whenever a group moves on. */
  private waiting: Array<() => void> = [];
  private connected = false;

  constructor(private readonly options: InMemoryBusOptions = {}) {
    this.compactedTopics = options.compactedTopics ?? new Set();
    this.retainBytes = options.retainBytes ?? DEFAULT_RETAIN_BYTES;
    this.retainReadBytes = Math.min(options.retainReadBytes ?? DEFAULT_RETAIN_READ_BYTES, this.retainBytes);
    this.backpressureMs = options.backpressureMs ?? DEFAULT_BACKPRESSURE_MS;
    this.maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
  }

  async connect(): Promise<void> {
    if (this.options.persistDir) this.restore(this.options.persistDir);
    this.connected = true;
  }

  async close(): Promise<void> {
    this.connected = false;
    this.wakeWaiting();
    for (const group of this.groups.values()) group.members = [];
  }

  isConnected(): boolean {
    return this.connected;
  }

  async send(topic: string, records: OutboundRecord[]): Promise<void> {
    for (const record of records) {
      const bytes = recordBytes(record);
      if (bytes > this.maxMessageBytes) throw new MessageTooLargeError(bytes, this.maxMessageBytes);
    }
    if (!this.compactedTopics.has(topic))
      await this.roomFor(
        topic,
        records.reduce((sum, r) => sum + recordBytes(r), 0),
      );
    const persist = this.options.persistDir && this.compactedTopics.has(topic) ? this.options.persistDir : undefined;
    for (const record of records) {
      this.append(topic, record);
      if (persist) {
        mkdirSync(persist, { recursive: true });
        appendFileSync(join(persist, `${topic}.jsonl`), JSON.stringify(record) + '\n');
      }
    }
    this.enforceRetention(topic);
    for (const group of this.groups.values()) if (group.topic === topic) this.drain(group);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const member = options.handleBatch;
    const joined: Group[] = [];
    for (const { topic, fromBeginning } of options.topics) {
      const log = this.log(topic);
      const key = `${options.groupId}\u0000${topic}`;
      let group = this.groups.get(key);
      if (!group) {
        const cursor = fromBeginning ? (log.records[0] ? Number(log.records[0].offset) : log.nextOffset) : log.nextOffset;
        group = { topic, cursor, members: [], turn: 0, draining: false, current: Promise.resolve() };
        this.groups.set(key, group);
      }
      group.members.push(member);
      joined.push(group);
      this.drain(group);
    }
    return {
      close: async () => {
        for (const g of joined) g.members = g.members.filter((m) => m !== member);
        await Promise.all(joined.map((g) => g.current));
      },
    };
  }

  async readToEnd(topic: string): Promise<InboundMessage[]> {
    return [...this.log(topic).records];
  }

  private log(topic: string): TopicLog {
    let log = this.topics.get(topic);
    if (!log) {
      log = { records: [], bytes: [], totalBytes: 0, nextOffset: 0, compacted: this.compactedTopics.has(topic) };
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
      value: ownBuffer(record.value),
      headers: { ...record.headers },
    };
    if (log.compacted && message.key !== null) {
      const previous = log.records.findIndex((r) => r.key === message.key);
      if (previous >= 0) {
        log.totalBytes -= log.bytes[previous];
        log.records.splice(previous, 1);
        log.bytes.splice(previous, 1);
      }
    }
    const bytes = recordBytes(record);
    log.records.push(message);
    log.bytes.push(bytes);
    log.totalBytes += bytes;
  }

  /** Waits while the slowest live group of a plain topic has more than twice the retention unread, up to `backpressureMs`. */
  private async roomFor(topic: string, incoming: number): Promise<void> {
    const deadline = Date.now() + this.backpressureMs;
    while (this.unreadBytes(topic) + incoming > 2 * this.retainBytes) {
      const left = deadline - Date.now();
      if (left <= 0 || !this.connected) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private unreadBytes(topic: string): number {
    const log = this.log(topic);
    // Cheap in the usual case: retention keeps a topic whose groups keep up at or under retainBytes.
    if (log.totalBytes <= this.retainBytes) return log.totalBytes;
    const live = [...this.groups.values()].filter((g) => g.topic === topic && g.members.length > 0);
    if (live.length === 0) return 0;
    const slowest = Math.min(...live.map((g) => g.cursor));
    let unread = 0;
    for (let i = this.firstAtOrAfter(log, slowest); i < log.bytes.length; i++) unread += log.bytes[i];
    return unread;
  }

  private wakeWaiting(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  private enforceRetention(topic: string): void {
    const log = this.log(topic);
    if (log.compacted || log.totalBytes <= this.retainReadBytes) return;
    const cursors = [...this.groups.values()].filter((g) => g.topic === topic).map((g) => g.cursor);
    // Records no group has subscribed to yet are kept as any record would be: for the first group to come.
    const keepRead = cursors.length > 0 ? this.retainReadBytes : this.retainBytes;
    const slowest = Math.min(...cursors);
    let drop = 0;
    let freed = 0;
    let forced = 0;
    // Read records go while the topic holds more than keepRead, so at most that much of them stays.
    while (drop < log.records.length && log.totalBytes - freed > keepRead) {
      const read = Number(log.records[drop].offset) < slowest;
      if (!read && log.totalBytes - freed <= 2 * this.retainBytes) break;
      if (!read) forced++;
      freed += log.bytes[drop++];
    }
    if (drop === 0) return;
    log.records.splice(0, drop);
    log.bytes.splice(0, drop);
    log.totalBytes -= freed;
    if (forced > 0) this.options.onDrop?.(topic, forced);
  }

  /** Index of the first record at or after `offset` (records are in offset order). */
  private firstAtOrAfter(log: TopicLog, offset: number): number {
    let lo = 0;
    let hi = log.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Number(log.records[mid].offset) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Delivers pending records to one member at a time, in order, the way a single partition does. */
  private drain(group: Group): void {
    if (group.draining || group.members.length === 0) return;
    group.draining = true;
    setImmediate(() => {
      group.current = this.deliver(group).finally(() => {
        group.draining = false;
        const log = this.log(group.topic);
        if (group.members.length > 0 && this.firstAtOrAfter(log, group.cursor) < log.records.length) this.drain(group);
      });
    });
  }

  private async deliver(group: Group): Promise<void> {
    const log = this.log(group.topic);
    for (;;) {
      const from = this.firstAtOrAfter(log, group.cursor);
      let end = from;
      for (let bytes = 0; end < log.records.length && end - from < BATCH && (end === from || bytes + log.bytes[end] <= BATCH_BYTES); end++)
        bytes += log.bytes[end];
      const pending = log.records.slice(from, end);
      const member = group.members[group.turn++ % Math.max(group.members.length, 1)];
      if (pending.length === 0 || !member) return;
      try {
        await member(pending, async () => undefined);
        group.cursor = Number(pending[pending.length - 1].offset) + 1;
        if (this.waiting.length > 0) this.wakeWaiting();
      } catch {
        // Same as an uncommitted Kafka batch: redelivered, after a pause so a broken handler cannot spin.
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Loads the compacted topics and rewrites each file with only its newest record per key, so the files stay small. */
  private restore(dir: string): void {
    for (const topic of this.compactedTopics) {
      const file = join(dir, `${topic}.jsonl`);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line.trim()) this.append(topic, JSON.parse(line) as OutboundRecord);
      }
      const kept = this.log(topic).records.map((m) => JSON.stringify({ key: m.key ?? undefined, value: m.value?.toString() ?? '', headers: m.headers }));
      writeFileSync(`${file}.tmp`, kept.map((l) => l + '\n').join(''));
      renameSync(`${file}.tmp`, file);
    }
  }
}

/**
 * The record's bytes in a buffer of their own. Buffer.from(string) slices small values out of a
 * shared pool, so one retained record pinned a whole pool slab: under load the topics' 20,000
 * records held 130 MB of 64 KB slabs while retention counted 10 MB of values.
 */
function ownBuffer(value: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(value));
  bytes.write(value);
  return bytes;
}
