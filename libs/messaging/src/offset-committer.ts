export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Commits handled offsets on a timer instead of after every batch: a commit per batch puts a
 * broker round trip on every request's path (kafkajs' autoCommit commits after each batch
 * whatever autoCommitInterval says). A crash redelivers at most one interval of handled
 * messages, which handlers absorb because every event and document id is deterministic.
 */
export class OffsetCommitter {
  /** Next offset to read per topic-partition, not yet committed. */
  private pending = new Map<string, TopicPartitionOffset>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly commit: (offsets: TopicPartitionOffset[]) => Promise<void>,
    private readonly onError: (err: Error, offsets: TopicPartitionOffset[]) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Marks everything up to and including `lastOffset` as handled. */
  handled(topic: string, partition: number, lastOffset: string): void {
    this.pending.set(`${topic}:${partition}`, { topic, partition, offset: (BigInt(lastOffset) + 1n).toString() });
  }

  /** After a rebalance: offsets of partitions this member lost are the new owner's to commit. */
  retain(assigned: (topic: string, partition: number) => boolean): void {
    for (const [key, o] of this.pending) if (!assigned(o.topic, o.partition)) this.pending.delete(key);
  }

  /** Commits what is pending; never rejects (a failed commit is retried on the next flush). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.commitPending());
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async commitPending(): Promise<void> {
    if (this.pending.size === 0) return;
    const offsets = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.commit(offsets);
    } catch (err) {
      // Put back what a newer handled() has not superseded meanwhile.
      for (const o of offsets) {
        const key = `${o.topic}:${o.partition}`;
        if (!this.pending.has(key)) this.pending.set(key, o);
      }
      this.onError(err as Error, offsets);
    }
  }
}
