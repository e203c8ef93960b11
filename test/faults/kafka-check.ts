import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

// The gateway's batch records (v2): one record carries every request of a batching window.
export const REQUEST_TOPIC = 'ml.prediction.requested.v2';
export const REPLY_TOPIC = 'ml.prediction.made.v2';

export type Offsets = Map<number, bigint>;

function client(broker: string): Kafka {
  return new Kafka({ clientId: 'faults-suite', brokers: [broker], logLevel: logLevel.NOTHING, retry: { retries: 8 } });
}

/** The next offset of every partition of `topic`. */
export async function endOffsets(broker: string, topic: string): Promise<Offsets> {
  const admin = client(broker).admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

export interface TopicRecord {
  partition: number;
  key: string;
  value: string;
}

/** Every record of `topic` between two snapshots of its end offsets, in no particular order across partitions. */
export async function readWindow(broker: string, topic: string, from: Offsets, to: Offsets, timeoutMs = 60_000): Promise<TopicRecord[]> {
  const records: TopicRecord[] = [];
  const remaining = new Map([...to].filter(([p, end]) => end > (from.get(p) ?? 0n)).map(([p, end]) => [p, end - 1n]));
  if (remaining.size === 0) return records;
  // A group of its own that never commits: reading must not move anybody's offsets.
  const consumer = client(broker).consumer({ groupId: `faults-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const last = remaining.get(partition);
        if (last === undefined || BigInt(message.offset) < (from.get(partition) ?? 0n)) return;
        if (BigInt(message.offset) <= last && message.key) records.push({ partition, key: message.key.toString(), value: message.value?.toString() ?? '' });
        if (BigInt(message.offset) >= last) remaining.delete(partition);
        if (remaining.size === 0) done();
      },
    });
    for (const [partition] of remaining) consumer.seek({ topic, partition, offset: String(from.get(partition) ?? 0n) });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${topic} not read to its end within ${timeoutMs} ms`)), timeoutMs))),
    ]);
    clearTimeout(timer);
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** What the request and reply topics held while a scenario ran, as the verdict reads them. */
export interface TopicTraffic {
  /** Platform request id → the partition of the request topic it was published to (workers key requests by it). */
  requestPartitions: Map<string, number>;
  /** One per scored request in the reply records: a request scored twice (redelivered because the first worker did not commit) shows twice. */
  replies: Array<{ requestId: string; worker: string; at: number }>;
}

export async function trafficSnapshot(broker: string): Promise<{ requests: Offsets; replies: Offsets }> {
  return { requests: await endOffsets(broker, REQUEST_TOPIC), replies: await endOffsets(broker, REPLY_TOPIC) };
}

export async function trafficBetween(broker: string, from: Awaited<ReturnType<typeof trafficSnapshot>>): Promise<TopicTraffic> {
  const to = await trafficSnapshot(broker);
  const requests = await readWindow(broker, REQUEST_TOPIC, from.requests, to.requests);
  const replies = await readWindow(broker, REPLY_TOPIC, from.replies, to.replies);
  return {
    requestPartitions: new Map(
      requests.flatMap((r) => {
        const envelope = JSON.parse(r.value) as { payload?: { requests?: Array<{ request_id: string }> } };
        return (envelope.payload?.requests ?? []).map((q) => [q.request_id, r.partition] as const);
      }),
    ),
    replies: replies.flatMap((r) => {
      const envelope = JSON.parse(r.value) as { occurred_at?: string; payload?: { worker?: string; results?: Array<{ outcome: string; request_id: string }> } };
      const at = Date.parse(envelope.occurred_at ?? '');
      return (envelope.payload?.results ?? [])
        .filter((result) => result.outcome === 'scored')
        .map((result) => ({ requestId: result.request_id, worker: envelope.payload?.worker ?? '', at }));
    }),
  };
}

/**
 * Reads `topic` from its end as events arrive and remembers the keys of those `match` accepts;
 * `seen(key)` resolves once such an event with that key arrived. For reacting within
 * milliseconds of an event, e.g. killing the trainer the moment it reports a job running.
 */
export async function watchTopic(broker: string, topic: string, match: (event: { payload?: unknown }) => boolean) {
  const keys = new Set<string>();
  const waiters = new Map<string, () => void>();
  const consumer = client(broker).consumer({ groupId: `faults-watch-${randomUUID()}`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      const key = message.key?.toString();
      if (!key || !match(JSON.parse(message.value?.toString() ?? '{}') as { payload?: unknown })) return;
      keys.add(key);
      waiters.get(key)?.();
    },
  });
  await joined;
  return {
    seen: (key: string, timeoutMs: number) =>
      new Promise<boolean>((resolve) => {
        if (keys.has(key)) return resolve(true);
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.set(key, () => {
          clearTimeout(timer);
          resolve(true);
        });
      }),
    close: () => consumer.disconnect(),
  };
}
