/** What the batcher needs to know of an item to keep a record within its caps. */
export interface BatchItem {
  rows: number;
  bytes: number;
}

export interface BatchLimits {
  /**
   * Longest an item waits for the record in flight before its own record leaves anyway, in ms.
   * 0: it never waits, every event-loop turn's items leave at the end of that turn.
   */
  maxDelayMs: number;
  /** A record closes as soon as it holds this many rows... */
  maxRows: number;
  /** ...or this many bytes; an item larger than either still travels, alone. */
  maxBytes: number;
}

interface Queued<T> {
  item: T;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Gathers concurrent items (prediction requests) into records, adaptively, as Triton's dynamic
 * batcher and BentoML's adaptive batching do, but without a fixed wait: when no record is in
 * flight, whatever arrived during the current event-loop turn leaves at the end of that turn,
 * so a lone request never waits. While a record is in flight the window stays open until it is
 * acknowledged, at most maxDelayMs: under load the records grow with the load instead of the
 * per-record costs growing with it. A record also leaves as soon as it reaches a cap.
 */
export class RequestBatcher<T extends BatchItem> {
  private queue: Array<Queued<T>> = [];
  private queuedRows = 0;
  private queuedBytes = 0;
  private inFlight = 0;
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly send: (items: T[]) => Promise<void>,
    private readonly limits: BatchLimits,
    /** Called with the items of each record as it leaves (metrics). */
    private readonly onRecord: (items: readonly T[]) => void = () => undefined,
  ) {}

  /** Resolves once the record carrying the item was sent; rejects with the send's error. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.queuedRows += item.rows;
      this.queuedBytes += item.bytes;
      if (this.full()) this.dispatch(true);
      else this.schedule();
    });
  }

  /** Items waiting for their record. */
  get queued(): number {
    return this.queue.length;
  }

  private full(): boolean {
    return this.queuedRows >= this.limits.maxRows || this.queuedBytes >= this.limits.maxBytes;
  }

  private schedule(): void {
    if (this.queue.length === 0) return;
    if (this.inFlight === 0 || this.limits.maxDelayMs === 0) {
      this.immediate ??= setImmediate(() => this.dispatch(false));
    } else {
      this.timer ??= setTimeout(() => this.dispatch(false), this.limits.maxDelayMs);
    }
  }

  /** Sends what is queued: everything, or (when a cap was reached) only full records. */
  private dispatch(fullOnly: boolean): void {
    if (!fullOnly) this.cancelWindow();
    while (this.queue.length > 0 && (!fullOnly || this.full())) this.sendRecord(this.takeRecord());
    if (this.queue.length === 0) this.cancelWindow();
    else this.schedule();
  }

  private takeRecord(): Array<Queued<T>> {
    let rows = 0;
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length) {
      const { item } = this.queue[n];
      if (n > 0 && (rows + item.rows > this.limits.maxRows || bytes + item.bytes > this.limits.maxBytes)) break;
      rows += item.rows;
      bytes += item.bytes;
      n++;
    }
    this.queuedRows -= rows;
    this.queuedBytes -= bytes;
    return this.queue.splice(0, n);
  }

  private sendRecord(record: Array<Queued<T>>): void {
    const items = record.map((q) => q.item);
    this.inFlight++;
    this.onRecord(items);
    let sent: Promise<void>;
    try {
      sent = this.send(items);
    } catch (err) {
      sent = Promise.reject(err as Error);
    }
    sent.then(
      () => this.settle(record, null),
      (err: unknown) => this.settle(record, err instanceof Error ? err : new Error(String(err))),
    );
  }

  private settle(record: Array<Queued<T>>, err: Error | null): void {
    this.inFlight--;
    for (const q of record) {
      if (err) q.reject(err);
      else q.resolve();
    }
    // The pipeline is free: what gathered meanwhile leaves at the end of this turn.
    if (this.inFlight === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.schedule();
    }
  }

  private cancelWindow(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.timer) clearTimeout(this.timer);
    this.immediate = null;
    this.timer = null;
  }
}
