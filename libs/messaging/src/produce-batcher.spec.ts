import { MessageTooLargeError, recordBytes } from './event-bus';
import { ProduceBatcher, type TopicMessages } from './produce-batcher';

const record = (value: string) => ({ value, headers: {} });

/** A produce function that records each request and resolves when told to. */
function fakeBroker() {
  const requests: TopicMessages[][] = [];
  const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const produce = (batch: TopicMessages[]) =>
    new Promise<void>((resolve, reject) => {
      requests.push(batch);
      pending.push({ resolve, reject });
    });
  return { requests, pending, produce };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ProduceBatcher', () => {
  it('sends the sends of one event-loop turn as one produce request, grouped by topic', async () => {
    const broker = fakeBroker();
    const batcher = new ProduceBatcher(broker.produce, 1_000_000);
    const sends = [batcher.send('a', [record('1')]), batcher.send('b', [record('2')]), batcher.send('a', [record('3'), record('4')])];
    await tick();
    expect(broker.requests).toEqual([
      [
        { topic: 'a', messages: [record('1'), record('3'), record('4')] },
        { topic: 'b', messages: [record('2')] },
      ],
    ]);
    broker.pending[0].resolve();
    await Promise.all(sends);
  });

  it('keeps one request in flight and sends what arrived meanwhile together in the next', async () => {
    const broker = fakeBroker();
    const batcher = new ProduceBatcher(broker.produce, 1_000_000);
    const first = batcher.send('t', [record('1')]);
    await tick();
    const later = [batcher.send('t', [record('2')]), batcher.send('t', [record('3')])];
    await tick();
    expect(broker.requests).toHaveLength(1);
    broker.pending[0].resolve();
    await first;
    await tick();
    expect(broker.requests.map((r) => r[0].messages.map((m) => m.value))).toEqual([['1'], ['2', '3']]);
    broker.pending[1].resolve();
    await Promise.all(later);
  });

  it('splits requests at the byte limit and resolves a send only when all its records are acknowledged', async () => {
    const broker = fakeBroker();
    const size = recordBytes(record('x'.repeat(100)));
    const batcher = new ProduceBatcher(broker.produce, size * 2);
    let resolved = false;
    const send = batcher.send('t', [record('x'.repeat(100)), record('x'.repeat(100)), record('x'.repeat(100))]).then(() => (resolved = true));
    await tick();
    expect(broker.requests[0][0].messages).toHaveLength(2);
    broker.pending[0].resolve();
    await tick();
    await tick();
    expect(resolved).toBe(false);
    expect(broker.requests[1][0].messages).toHaveLength(1);
    broker.pending[1].resolve();
    await send;
    expect(resolved).toBe(true);
  });

  it('refuses a record over the limit before sending anything', async () => {
    const broker = fakeBroker();
    const batcher = new ProduceBatcher(broker.produce, 500);
    const big = record('x'.repeat(600));
    await expect(batcher.send('t', [big])).rejects.toEqual(new MessageTooLargeError(recordBytes(big), 500));
    await tick();
    expect(broker.requests).toEqual([]);
  });

  it('rejects every send of a failed request and drops the rest of a failed send from the queue', async () => {
    const broker = fakeBroker();
    const size = recordBytes(record('y'));
    const batcher = new ProduceBatcher(broker.produce, size);
    const split = batcher.send('t', [record('y'), record('y')]);
    const other = batcher.send('t', [record('z')]);
    await tick();
    broker.pending[0].reject(new Error('broker gone'));
    await expect(split).rejects.toThrow('broker gone');
    await tick();
    // The second half of the failed send never goes out; the unrelated send does.
    expect(broker.requests.map((r) => r[0].messages.map((m) => m.value))).toEqual([['y'], ['z']]);
    broker.pending[1].resolve();
    await other;
  });
});
