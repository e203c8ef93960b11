import { MessageTooLargeError, recordBytes, type OutboundRecord } from './event-bus';

export interface TopicMessages {
  topic: string;
  messages: OutboundRecord[];
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  /** Records still to be acknowledged before this send resolves. */
  unacknowledged: number;
  failed: boolean;
}

interface Entry {
  topic: string;
  record: OutboundRecord;
  bytes: number;
  waiter: Waiter;
}

/**
 * Coalesces sends into produce requests. At most one request is in flight; whatever is sent
 * meanwhile goes out together in the next one. At low load a send leaves at once (no linger);
 * under load produce requests stay few and large, which is most of what a send costs the
 * broker and this process. A request never exceeds `maxRequestBytes`, because the broker
 * refuses a record batch over its message.max.bytes as a whole.
 */
export class ProduceBatcher {
  private queue: Entry[] = [];
  private inFlight = false;

  constructor(
    private readonly produce: (batch: TopicMessages[]) => Promise<void>,
    private readonly maxRequestBytes: number,
  ) {}

  send(topic: string, records: OutboundRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const sizes = records.map(recordBytes);
    const largest = Math.max(...sizes);
    if (largest > this.maxRequestBytes) return Promise.reject(new MessageTooLargeError(largest, this.maxRequestBytes));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, unacknowledged: records.length, failed: false };
      records.forEach((record, i) => this.queue.push({ topic, record, bytes: sizes[i], waiter }));
      this.schedule();
    });
  }

  /** Records waiting for the request in flight to finish. */
  get queued(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = true;
    // One macrotask: every send of this event-loop turn joins the request.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const chunk = this.takeChunk();
    try {
      await this.produce(groupByTopic(chunk));
      for (const { waiter } of chunk) if (--waiter.unacknowledged === 0 && !waiter.failed) waiter.resolve();
    } catch (err) {
      for (const { waiter } of chunk) {
        if (waiter.failed) continue;
        waiter.failed = true;
        waiter.reject(err as Error);
      }
      // A failed send must not leave half of itself queued for a later request.
      this.queue = this.queue.filter((e) => !e.waiter.failed);
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }

  private takeChunk(): Entry[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || bytes + this.queue[n].bytes <= this.maxRequestBytes)) bytes += this.queue[n++].bytes;
    return this.queue.splice(0, n);
  }
}

function groupByTopic(entries: Entry[]): TopicMessages[] {
  const byTopic = new Map<string, OutboundRecord[]>();
  for (const e of entries) {
    let list = byTopic.get(e.topic);
    if (!list) byTopic.set(e.topic, (list = []));
    list.push(e.record);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
