import { ALL_TOPICS, EVENTS, TOPICS, createEnvelope, decodeEvent, type DeadLetter, type Topic } from '@app/contracts';
import { JsonLogger, metricsRegistry } from '@app/observability';
import { consumeContract } from './contract-consumer';
import { BusUnavailableError } from './event-bus';
import { EventPublisher } from './event-publisher';
import { InMemoryEventBus } from './in-memory-event-bus';

const quiet = new JsonLogger('test', 'error', () => undefined);
const envelope = (topic: Topic, overrides: Record<string, unknown>) => ({
  ...createEnvelope(EVENTS[topic].type, {}, { requestId: 'req-x', producer: 'test' }),
  ...overrides,
});

/** Every way a record can break its topic's contract, and the reason it must be parked with. */
const POISON: Array<[string, (topic: Topic) => string, RegExp]> = [
  ['invalid JSON', () => '{"event_id": ', /^invalid JSON: /],
  ['a wrong schema version', (t) => JSON.stringify(envelope(t, { schema_version: 2 })), /^invalid envelope: schema_version: /],
  ['an unknown event type', (t) => JSON.stringify(envelope(t, { event_type: 'Unheard' })), /^event_type Unheard does not belong on /],
  ['no request id', (t) => JSON.stringify({ ...envelope(t, {}), request_id: undefined }), /^invalid envelope: request_id: /],
  ['an empty value', () => '', /^empty message value$/],
];

async function deadLetters(bus: InMemoryEventBus, expected: number): Promise<DeadLetter[]> {
  for (let i = 0; i < 200; i++) {
    const letters = (await bus.readToEnd(TOPICS.deadLetter)).flatMap((m) => {
      const d = decodeEvent(TOPICS.deadLetter, m.value);
      return d.ok ? [d.event.payload] : [];
    });
    if (letters.length >= expected) return letters;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('dead letters did not arrive');
}

describe('consumeContract', () => {
  it.each(POISON)('parks %s on every topic with its reason, counts it, and keeps consuming the topic', async (_what, value, reason) => {
    const bus = new InMemoryEventBus();
    await bus.connect();
    const publisher = new EventPublisher(bus, 'test');
    const handled: string[] = [];
    const topics = ALL_TOPICS.filter((t) => t !== TOPICS.deadLetter);
    const subscription = await consumeContract(bus, publisher, quiet, {
      groupId: 'poison-test',
      commitOffsets: true,
      routes: topics.map((topic) => ({ topic, fromBeginning: true, handle: async (events) => void handled.push(...events.map((e) => e.request_id)) })),
    });
    const parkedCount = async () => {
      const metric = await metricsRegistry.getSingleMetric('events_consumed_total')!.get();
      return metric.values.filter((v) => v.labels.group === 'poison-test' && v.labels.outcome === 'dead_lettered').reduce((n, v) => n + v.value, 0);
    };
    const parkedBefore = await parkedCount();
    const sent = new Map<string, string>();
    for (const topic of topics) {
      sent.set(topic, value(topic));
      await bus.send(topic, [{ key: 'k', value: sent.get(topic)!, headers: { 'x-request-id': `poison-${topic}` } }]);
      // Another record behind the poison one: the consumer must move past the poison to reach it.
      await bus.send(topic, [
        { key: 'k', value: JSON.stringify(envelope(topic, { request_id: `after-${topic}` })), headers: { 'x-request-id': `after-${topic}` } },
      ]);
    }
    const letters = await deadLetters(bus, topics.length * 2);
    await subscription.close();
    const poison = letters.filter((l) => l.headers['x-request-id'].startsWith('poison-'));
    expect(poison.map((l) => l.source_topic).sort()).toEqual([...topics].sort());
    for (const l of poison) {
      expect(l.reason).toMatch(reason);
      expect(l).toMatchObject({ consumer_group: 'poison-test', value: sent.get(l.source_topic) });
    }
    // Every follow-up record was reached: its empty payload parked with the schema's reason.
    const after = letters.filter((l) => l.headers['x-request-id'].startsWith('after-'));
    expect(after.map((l) => l.source_topic).sort()).toEqual([...topics].sort());
    for (const l of after) expect(l.reason).toMatch(/^invalid [A-Za-z]+ payload: /);
    expect(handled).toEqual([]);
    expect((await parkedCount()) - parkedBefore).toBe(topics.length * 2);
  });

  it('bounds what it parks: a huge reason or value is truncated, so the dead letter itself stays deliverable', async () => {
    const bus = new InMemoryEventBus();
    await bus.connect();
    const subscription = await consumeContract(bus, new EventPublisher(bus, 'test'), quiet, {
      groupId: 'big',
      commitOffsets: true,
      routes: [{ topic: TOPICS.retrainFailed, fromBeginning: true, handle: async () => undefined }],
    });
    await bus.send(TOPICS.retrainFailed, [{ value: `"${'x'.repeat(200_000)}`, headers: {} }]);
    const [letter] = await deadLetters(bus, 1);
    await subscription.close();
    expect(letter.value!.length).toBeLessThan(70_000);
    expect(letter.value).toMatch(/… \(truncated, 200001 chars\)$/);
    expect(letter.reason.length).toBeLessThanOrEqual(2_100);
  });

  it('retries a handler that cannot reach the broker until it can, and parks nothing: an outage is not a poison event', async () => {
    const bus = new InMemoryEventBus();
    await bus.connect();
    let failures = 0;
    const handled: string[] = [];
    const subscription = await consumeContract(bus, new EventPublisher(bus, 'test'), quiet, {
      groupId: 'outage',
      commitOffsets: true,
      routes: [
        {
          topic: TOPICS.retrainFailed,
          fromBeginning: true,
          handle: async (events) => {
            // As many failures as a poison event gets before it is parked.
            if (failures++ < 3) throw new BusUnavailableError('Kafka is unreachable (circuit open)');
            handled.push(...events.map((e) => e.request_id));
          },
        },
      ],
    });
    const event = createEnvelope(EVENTS[TOPICS.retrainFailed].type, { job_id: 'job-1', reason: 'x' }, { requestId: 'req-outage', producer: 'test' });
    await bus.send(TOPICS.retrainFailed, [{ value: JSON.stringify(event), headers: {} }]);
    for (let i = 0; i < 300 && handled.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await subscription.close();
    expect(handled).toEqual(['req-outage']);
    expect(failures).toBe(4);
    expect(await bus.readToEnd(TOPICS.deadLetter)).toEqual([]);
  });
});
