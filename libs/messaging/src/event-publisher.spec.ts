import { TOPICS } from '@app/contracts';
import { metricsRegistry } from '@app/observability';
import { EventPublisher } from './event-publisher';
import { InMemoryEventBus } from './in-memory-event-bus';

async function published(metric: string, topic: string): Promise<number> {
  const { values } = await metricsRegistry.getSingleMetric(metric)!.get();
  return values.find((v) => v.labels.topic === topic)?.value ?? 0;
}

describe('EventPublisher metrics', () => {
  it('counts the records and the bytes of value, key and headers it hands the bus, per topic', async () => {
    const bus = new InMemoryEventBus();
    await bus.connect();
    const topic = TOPICS.retrainRequested;
    const [records0, bytes0] = [await published('events_published_total', topic), await published('event_published_bytes_total', topic)];
    await new EventPublisher(bus, 'spec/1').publishMany(topic, [
      { payload: { job_id: 'job-1' }, options: { requestId: 'r-1', key: 'iris' } },
      // Non-ASCII counts in UTF-8 bytes, not characters.
      { payload: { job_id: 'jöb-2' }, options: { requestId: 'r-2', clientRequestId: 'caller-2' } },
    ]);
    const onTopic = await bus.readToEnd(topic);
    const expected = onTopic.reduce(
      (n, m) => n + m.value!.length + Buffer.byteLength(m.key ?? '') + Object.entries(m.headers).reduce((h, [k, v]) => h + k.length + Buffer.byteLength(v), 0),
      0,
    );
    expect(onTopic).toHaveLength(2);
    expect(await published('events_published_total', topic)).toBe(records0 + 2);
    expect(await published('event_published_bytes_total', topic)).toBe(bytes0 + expected);
    expect(expected).toBeGreaterThan(2 * JSON.stringify({ job_id: 'job-1' }).length);
    await bus.close();
  });
});
