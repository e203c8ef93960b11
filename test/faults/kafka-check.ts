import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

export const REPLY_TOPIC = 'ml.prediction.made.v1';

export type Offsets = Map<number, bigint>;

function client(broker: string): Kafka {
  return new Kafka({ clientId: 'faults-suite', brokers: [broker], logLevel: logLevel.NOTHING, retry: { retries: 8 } });
}

/** The next offset of every partition of `topic`. */
export async function endOffsets(broker: string, topic = REPLY_TOPIC): Promise<Offsets> {
  const admin = client(broker).admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * How many replies each request got on the reply topic between two snapshots of its end
 * offsets. Workers key replies by request id; a request scored twice (redelivered to another
 * worker because the first did not commit) shows up twice, with the same deterministic event id.
 */
export async function repliesPerRequest(broker: string, from: Offsets, to: Offsets, timeoutMs = 60_000): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const remaining = new Map([...to].filter(([p, end]) => end > (from.get(p) ?? 0n)).map(([p, end]) => [p, end - 1n]));
  if (remaining.size === 0) return counts;
  // A group of its own that never commits: reading must not move anybody's offsets.
  const consumer = client(broker).consumer({ groupId: `faults-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: REPLY_TOPIC, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const last = remaining.get(partition);
        if (last === undefined || BigInt(message.offset) < (from.get(partition) ?? 0n)) return;
        if (BigInt(message.offset) <= last && message.key) {
          const key = message.key.toString();
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        if (BigInt(message.offset) >= last) remaining.delete(partition);
        if (remaining.size === 0) done();
      },
    });
    for (const [partition] of remaining) consumer.seek({ topic: REPLY_TOPIC, partition, offset: String(from.get(partition) ?? 0n) });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`reply topic not read to its end within ${timeoutMs} ms`)), timeoutMs))),
    ]);
    clearTimeout(timer);
    return counts;
  } finally {
    await consumer.disconnect();
  }
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
