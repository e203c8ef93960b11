import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaEventBus } from '@app/messaging';
import { KAFKA_BROKERS } from './support/infra';

async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * kafkajs restarts a consumer after a crash (a broker outage, an error it gives up on), and the
 * restarted consumer joins its group afresh and starts where the group's committed offsets say:
 * - a work group (trainer, workers) reads new messages only, so until its first commit it would
 *   start at the end of the log again and skip what it was handling (e.g. the first retrain
 *   request of a fresh system): its start is committed as soon as it joins;
 * - a broadcast group never commits, so it would replay a state topic from the start or skip
 *   what arrived meanwhile: it resumes after what this process handled.
 */
describe('a consumer restarted by kafkajs (real Kafka)', () => {
  // A topic of its own per test and per run: each test sends everything it reads.
  const topics = {
    work: `test.consumer-restart.work.${randomUUID()}`,
    broadcast: `test.consumer-restart.broadcast.${randomUUID()}`,
    stuck: `test.consumer-restart.stuck.${randomUUID()}`,
  };
  let crashes = 0;
  const bus = new KafkaEventBus({
    brokers: KAFKA_BROKERS.split(','),
    clientId: 'consumer-restart-e2e',
    topics: Object.fromEntries(Object.values(topics).map((t) => [t, { partitions: 1, compacted: false }])),
    sendTimeoutMs: 10_000,
    maxMessageBytes: 1_048_576,
    commitIntervalMs: 200,
    fetchMaxWaitMs: 100,
    onLog: (_level, message) => {
      if (message === 'consumer crashed') crashes++;
    },
  });

  beforeAll(() => bus.connect());
  afterAll(async () => {
    await bus.close();
    const admin = new Kafka({ brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) });
    await admin.disconnect();
  });

  it('in a work group, gets a message again when it restarts before the group ever committed', async () => {
    const topic = topics.work;
    let attempts = 0;
    let handled: string | undefined;
    const subscription = await bus.subscribe({
      groupId: `consumer-restart-e2e-${randomUUID()}`,
      topics: [{ topic, fromBeginning: false }],
      commitOffsets: true,
      handleBatch: async (messages) => {
        attempts++;
        // Fails until kafkajs gives up retrying in place and restarts the consumer, which joins the group afresh.
        if (crashes === 0) throw new Error('handler crashed');
        handled = messages.map((m) => m.value!.toString()).join(',');
      },
    });
    await bus.send(topic, [{ key: 'job-1', value: 'retrain job 1', headers: {} }]);
    await until(() => crashes > 0, 60_000, 'kafkajs to restart the consumer');
    expect(attempts).toBeGreaterThan(1);
    await until(() => handled !== undefined, 30_000, 'the message to be delivered again');
    expect(handled).toBe('retrain job 1');
    await subscription.close();
  });

  it('in a group that never commits, resumes after what it handled instead of replaying from the start', async () => {
    const topic = topics.broadcast;
    await bus.send(topic, [{ key: 'job-1', value: 'retrain job 1', headers: {} }]);
    const handled: string[] = [];
    let failing = false;
    const crashesBefore = crashes;
    const subscription = await bus.subscribe({
      // Like every broadcast group: one of its own per process, never committed, replaying state topics from the start.
      groupId: `consumer-restart-e2e-broadcast-${randomUUID()}`,
      topics: [{ topic, fromBeginning: true }],
      commitOffsets: false,
      handleBatch: async (messages) => {
        const values = messages.map((m) => m.value!.toString());
        if (values.includes('model 3') && crashes === crashesBefore) {
          failing = true;
          throw new Error('handler crashed');
        }
        handled.push(...values);
      },
    });
    await until(() => handled.includes('retrain job 1'), 30_000, 'the replay of the topic');
    await bus.send(topic, [{ key: 'current', value: 'model 2', headers: {} }]);
    await until(() => handled.includes('model 2'), 30_000, 'model 2');
    await bus.send(topic, [{ key: 'current', value: 'model 3', headers: {} }]);
    await until(() => failing && crashes > crashesBefore, 60_000, 'kafkajs to restart the consumer');
    await until(() => handled.includes('model 3'), 30_000, 'model 3 after the restart');
    // One partition is read in order: once the record after model 3 is handled, a replay of
    // anything before it would have been handled too.
    await bus.send(topic, [{ key: 'current', value: 'model 4', headers: {} }]);
    await until(() => handled.includes('model 4'), 30_000, 'model 4');
    expect(handled).toEqual(['retrain job 1', 'model 2', 'model 3', 'model 4']);
    await subscription.close();
  });

  it('replaces a consumer whose commits the coordinator refuses as from an unknown member, losing and repeating nothing', async () => {
    // After a broker froze, the fault suite saw a worker's consumer keep fetching with every commit
    // refused like this for minutes: whatever it handled was handled again after it left. The
    // refusal is injected at the client (the broker's own answer, as kafkajs raises it); the
    // group, the topic and the replacement's join are the real broker's.
    const topic = topics.stuck;
    const logs: string[] = [];
    const stuckBus = new KafkaEventBus({
      brokers: KAFKA_BROKERS.split(','),
      clientId: 'consumer-stuck-e2e',
      topics: { [topic]: { partitions: 1, compacted: false } },
      sendTimeoutMs: 10_000,
      maxMessageBytes: 1_048_576,
      commitIntervalMs: 200,
      fetchMaxWaitMs: 100,
      membershipGraceMs: 2_000,
      onLog: (_level, message) => logs.push(message),
    });
    const kafka = (stuckBus as unknown as { kafka: Kafka }).kafka;
    const createConsumer = kafka.consumer.bind(kafka);
    let consumersCreated = 0;
    kafka.consumer = (config) => {
      const consumer = createConsumer(config);
      if (consumersCreated++ === 0) {
        consumer.commitOffsets = () => Promise.reject(Object.assign(new Error('The coordinator is not aware of this member'), { type: 'UNKNOWN_MEMBER_ID' }));
      }
      return consumer;
    };
    await stuckBus.connect();
    const groupId = `consumer-stuck-e2e-${randomUUID()}`;
    const handled: string[] = [];
    const subscription = await stuckBus.subscribe({
      groupId,
      topics: [{ topic, fromBeginning: false }],
      commitOffsets: true,
      handleBatch: async (messages) => void handled.push(...messages.map((m) => m.value!.toString())),
    });
    const committed = async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions[0].offset;
      } finally {
        await admin.disconnect();
      }
    };
    try {
      const send = (values: string[]) =>
        stuckBus.send(
          topic,
          values.map((value) => ({ value, headers: {} })),
        );
      await send(['m1', 'm2', 'm3']);
      await until(() => handled.length === 3, 30_000, 'the stuck consumer to handle m1-m3');
      await until(() => logs.includes('Kafka consumer stuck out of its group; replacing it'), 30_000, 'the replacement');
      await until(() => consumersCreated === 2, 30_000, 'the new consumer');
      await send(['m4', 'm5']);
      await until(() => handled.length >= 5, 30_000, 'the replacement to handle m4-m5');
      let offset = await committed();
      for (const deadline = Date.now() + 30_000; offset !== '5' && Date.now() < deadline; offset = await committed()) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(offset).toBe('5');
      expect(handled).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(consumersCreated).toBe(2);
    } finally {
      await subscription.close();
      await stuckBus.close();
    }
  });
});
