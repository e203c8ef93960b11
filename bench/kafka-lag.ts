import { Kafka, logLevel, type Admin } from 'kafkajs';

export interface PartitionEnd {
  partition: number;
  high: string;
  low: string;
}

export interface CommittedOffset {
  partition: number;
  offset: string;
}

/**
 * Messages of one topic a consumer group has not committed yet. A partition without a commit
 * (offset -1) counts from its low watermark: the monitor's groups start from the beginning.
 */
export function topicLag(ends: readonly PartitionEnd[], committed: readonly CommittedOffset[]): number {
  const byPartition = new Map(committed.map((c) => [c.partition, BigInt(c.offset)]));
  let lag = 0n;
  for (const end of ends) {
    const c = byPartition.get(end.partition);
    const from = c !== undefined && c >= 0n ? c : BigInt(end.low);
    const behind = BigInt(end.high) - from;
    if (behind > 0n) lag += behind;
  }
  return Number(lag);
}

export interface LagAfterLoad {
  at_end: number;
  after_followup: number;
  followup_s: number;
  /** Seconds after the load stopped when the lag first read 0 (polled every 250 ms); null if not within the timeout. */
  zero_after_s: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface MonitorLag {
  total: number;
  /** Lag per live `monitor.*` consumer group. */
  groups: Record<string, number>;
}

/** The monitor's consumer lag, read from the broker: committed offsets against the topics' end offsets. */
export class MonitorLagReader {
  private readonly admin: Admin;

  constructor(brokers: string) {
    this.admin = new Kafka({ clientId: 'bench', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }

  async read(): Promise<MonitorLag> {
    const { groups } = await this.admin.listGroups();
    const ids = groups.map((g) => g.groupId).filter((id) => id.startsWith('monitor.'));
    // Groups left behind by earlier monitors (no members any more) are not this monitor's.
    const live = ids.length ? (await this.admin.describeGroups(ids)).groups.filter((g) => g.state !== 'Empty' && g.state !== 'Dead') : [];
    if (live.length === 0) throw new Error('no live consumer group whose id starts with "monitor." (is the monitor running?)');
    const ends = new Map<string, Promise<PartitionEnd[]>>();
    const endsOf = (topic: string) => {
      if (!ends.has(topic)) ends.set(topic, this.admin.fetchTopicOffsets(topic));
      return ends.get(topic)!;
    };
    const lags = await Promise.all(
      live.map(async ({ groupId }) => {
        const committed = await this.admin.fetchOffsets({ groupId });
        const perTopic = await Promise.all(committed.map(async ({ topic, partitions }) => topicLag(await endsOf(topic), partitions)));
        return [groupId, perTopic.reduce((a, b) => a + b, 0)] as const;
      }),
    );
    const out: MonitorLag = { total: 0, groups: Object.fromEntries(lags) };
    for (const [, l] of lags) out.total += l;
    return out;
  }

  /** Polls until the lag is 0; returns the seconds that took, or null if it did not happen within the timeout. */
  async waitForZero(timeoutS: number): Promise<number | null> {
    const started = Date.now();
    while (true) {
      if ((await this.read()).total === 0) return (Date.now() - started) / 1000;
      if (Date.now() - started > timeoutS * 1000) return null;
      await sleep(250);
    }
  }

  /**
   * Right after a load stops: the lag then, the lag `followupS` seconds later, and when it first
   * read 0 (polled every 250 ms, for at most `timeoutS`).
   */
  async afterLoad(followupS: number, timeoutS: number): Promise<LagAfterLoad> {
    const started = Date.now();
    const elapsed = () => (Date.now() - started) / 1000;
    const zeroYet = async () => (await this.read()).total === 0;
    const atEnd = (await this.read()).total;
    let zeroAfter: number | null = atEnd === 0 ? 0 : null;
    while (zeroAfter === null && elapsed() < followupS) {
      await sleep(Math.min(250, (followupS - elapsed()) * 1000));
      if (await zeroYet()) zeroAfter = elapsed();
    }
    await sleep(Math.max(0, (followupS - elapsed()) * 1000));
    const afterFollowup = (await this.read()).total;
    if (zeroAfter === null && afterFollowup === 0) zeroAfter = elapsed();
    while (zeroAfter === null && elapsed() < timeoutS) {
      await sleep(250);
      if (await zeroYet()) zeroAfter = elapsed();
    }
    return { at_end: atEnd, after_followup: afterFollowup, followup_s: followupS, zero_after_s: zeroAfter === null ? null : Math.round(zeroAfter * 100) / 100 };
  }
}
