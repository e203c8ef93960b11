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
  /** Partitions this committer has committed for since it started. */
  private readonly committed = new Set<string>();
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

  /**
   * Where the group starts reading a partition it has never committed for, so a consumer that
   * restarts before its first real commit resumes there instead of at the then end of the log.
   * Never moves a partition back: ignored once anything on it was handled or committed.
   */
  startAt(topic: string, partition: number, offset: string): void {
    const key = `${topic}:${partition}`;
    if (!this.pending.has(key) && !this.committed.has(key)) this.pending.set(key, { topic, partition, offset });
  }

  /** After a rebalance: offsets of partitions this member lost are the new owner's to commit. */
  retain(assigned: (topic: string, partition: number) => boolean): void {
    for (const [key, o] of this.pending) if (!assigned(o.topic, o.partition)) this.pending.delete(key);
  }

  /** Handled but not yet committed: where this member got to on each partition. */
  pendingOffsets(): TopicPartitionOffset[] {
    return [...this.pending.values()];
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
      for (const o of offsets) this.committed.add(`${o.topic}:${o.partition}`);
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
