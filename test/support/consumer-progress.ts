import { AssignerProtocol, Kafka, logLevel, type Admin } from 'kafkajs';
import { eventually } from './http';
import { KAFKA_BROKERS } from './infra';

/**
 * How far a consumer group is behind, read from the broker: committed offsets against the high
 * watermarks. The services commit only what they handled (after Elasticsearch acknowledged, for
 * the monitor), so "no lag" is a positive signal that everything produced so far was processed:
 * a test can then assert that something did *not* happen without sleeping and hoping.
 */
export class ConsumerProgress {
  private readonly admin: Admin = new Kafka({ clientId: 'e2e-consumer-progress', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();

  /** Groups and topics are named as the services name them; `topicPrefix` is their KAFKA_TOPIC_PREFIX. */
  constructor(private readonly topicPrefix = '') {}

  connect(): Promise<void> {
    return this.admin.connect();
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }

  /** The topics the group's current members are assigned; empty while it has no stable membership. */
  async assignedTopics(groupId: string): Promise<string[]> {
    const id = this.topicPrefix + groupId;
    const { groups } = await this.admin.describeGroups([id]);
    const group = groups.find((g) => g.groupId === id);
    if (!group || group.state !== 'Stable') return [];
    const topics = new Set<string>();
    for (const m of group.members)
      for (const t of Object.keys(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {})) topics.add(t.slice(this.topicPrefix.length));
    return [...topics].sort();
  }

  /** Records ever written to `topics` (the sum of their partitions' end offsets). */
  async written(topics: string[]): Promise<number> {
    let total = 0n;
    for (const topic of topics) for (const end of await this.admin.fetchTopicOffsets(this.topicPrefix + topic)) total += BigInt(end.high);
    return Number(total);
  }

  /** Messages on `topics` the group has not committed yet (from the log start when it never committed). */
  async lag(groupId: string, topics: string[]): Promise<number> {
    const named = topics.map((t) => this.topicPrefix + t);
    const committed = await this.admin.fetchOffsets({ groupId: this.topicPrefix + groupId, topics: named });
    let lag = 0n;
    for (const topic of named) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const offset = BigInt(mine.find((p) => p.partition === end.partition)?.offset ?? '-1');
        const from = offset < 0n ? BigInt(end.low) : offset;
        if (BigInt(end.high) > from) lag += BigInt(end.high) - from;
      }
    }
    return Number(lag);
  }

  /**
   * Resolves once the group is stable and has committed everything on every topic it is assigned
   * (and on `topics`, which must be among them). Returns the assigned topics.
   */
  async caughtUp(groupId: string, topics: string[] = [], timeoutMs = 60_000): Promise<string[]> {
    return eventually(
      async () => {
        const assigned = await this.assignedTopics(groupId);
        if (assigned.length === 0 || !topics.every((t) => assigned.includes(t))) return undefined;
        return (await this.lag(groupId, assigned)) === 0 ? assigned : undefined;
      },
      timeoutMs,
      `consumer group ${groupId} to commit everything on its topics`,
    );
  }
}
