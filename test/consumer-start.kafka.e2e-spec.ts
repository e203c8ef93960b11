import { randomUUID } from 'node:crypto';
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
 * A work group (trainer, workers) reads new messages only: with no committed offset Kafka
 * starts it at the end of the log. Until the group commits for the first time, a consumer
 * that restarts (after a crash of its process, or kafkajs restarting it after an error) would
 * start at the end again and skip what it was handling, e.g. the first retrain request of a
 * fresh system. The group's start is committed as soon as it joins.
 */
describe('a work group before its first commit (real Kafka)', () => {
  const topic = `test.consumer-start.${randomUUID()}`;
  let crashes = 0;
  const bus = new KafkaEventBus({
    brokers: KAFKA_BROKERS.split(','),
    clientId: 'consumer-start-e2e',
    topics: { [topic]: { partitions: 1, compacted: false } },
    sendTimeoutMs: 10_000,
    maxMessageBytes: 1_048_576,
    commitIntervalMs: 200,
    fetchMaxWaitMs: 100,
    onLog: (_level, message) => {
      if (message === 'consumer crashed') crashes++;
    },
  });

  beforeAll(() => bus.connect());
  afterAll(() => bus.close());

  it('gets a message again when its consumer restarts before anything was committed', async () => {
    let attempts = 0;
    let handled: string | undefined;
    const subscription = await bus.subscribe({
      groupId: `consumer-start-e2e-${randomUUID()}`,
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
});
