import type { EventBus, InboundMessage, SubscribeOptions } from './event-bus';
import { InMemoryEventBus } from './in-memory-event-bus';
import { NamespacedEventBus } from './namespaced-event-bus';

const record = (value: string) => ({ key: value, value, headers: {} });

/** Subscribes `groupId` to `topic` from the start; resolves with the first batch it is handed. */
function firstBatch(bus: EventBus, groupId: string, topic: string, partitions?: Record<string, number[]>): Promise<InboundMessage[]> {
  return new Promise((resolve, reject) => {
    bus.subscribe({ groupId, topics: [{ topic, fromBeginning: true }], commitOffsets: true, partitions, handleBatch: async (m) => resolve(m) }).catch(reject);
  });
}

describe('NamespacedEventBus', () => {
  it('keeps two namespaces on one broker apart: same topic and group names, each sees only its own records, under the logical topic name', async () => {
    const broker = new InMemoryEventBus();
    await broker.connect();
    const [a, b] = [new NamespacedEventBus(broker, 'run-a.'), new NamespacedEventBus(broker, 'run-b.')];
    await a.send('ml.model.ready.v1', [record('model of a')]);
    await b.send('ml.model.ready.v1', [record('model of b')]);
    const [seenByA, seenByB] = await Promise.all([
      firstBatch(a, 'inference-worker', 'ml.model.ready.v1'),
      firstBatch(b, 'inference-worker', 'ml.model.ready.v1'),
    ]);
    expect(seenByA.map((m) => [m.topic, m.value?.toString()])).toEqual([['ml.model.ready.v1', 'model of a']]);
    expect(seenByB.map((m) => [m.topic, m.value?.toString()])).toEqual([['ml.model.ready.v1', 'model of b']]);
    expect((await a.readToEnd('ml.model.ready.v1')).map((m) => [m.topic, m.value?.toString()])).toEqual([['ml.model.ready.v1', 'model of a']]);
    // On the broker, only the prefixed names exist.
    expect((await broker.readToEnd('run-a.ml.model.ready.v1')).map((m) => m.value?.toString())).toEqual(['model of a']);
    expect(await broker.readToEnd('ml.model.ready.v1')).toEqual([]);
    await broker.close();
  });

  it('prefixes the group, the topics and the pinned partitions it asks the broker for', async () => {
    const asked: SubscribeOptions[] = [];
    const broker = { subscribe: async (options: SubscribeOptions) => (asked.push(options), { close: async () => undefined }) } as unknown as EventBus;
    await new NamespacedEventBus(broker, 'p.').subscribe({
      groupId: 'gateway.gw-1.abc',
      topics: [{ topic: 'ml.prediction.made.v1', fromBeginning: false }],
      commitOffsets: false,
      partitions: { 'ml.prediction.made.v1': [3] },
      handleBatch: async () => undefined,
    });
    expect(asked.map(({ groupId, topics, partitions, commitOffsets }) => ({ groupId, topics, partitions, commitOffsets }))).toEqual([
      {
        groupId: 'p.gateway.gw-1.abc',
        topics: [{ topic: 'p.ml.prediction.made.v1', fromBeginning: false }],
        partitions: { 'p.ml.prediction.made.v1': [3] },
        commitOffsets: false,
      },
    ]);
  });

  it('names the topics the broker must create with the prefix', () => {
    expect(NamespacedEventBus.topicSpecs({ 'ml.feedback.v1': { partitions: 6, compacted: false } }, 'e2e-1.')).toEqual({
      'e2e-1.ml.feedback.v1': { partitions: 6, compacted: false },
    });
  });
});
