import { RequestBatcher, type BatchItem } from './request-batcher';

interface Item extends BatchItem {
  id: string;
}
const item = (id: string, rows = 1, bytes = 10): Item => ({ id, rows, bytes });
const turn = () => new Promise((r) => setImmediate(r));

/** A send that stays in flight until the test acknowledges it. */
function harness(limits: { maxDelayMs?: number; maxRows?: number; maxBytes?: number } = {}) {
  const records: string[][] = [];
  const acks: Array<(err?: Error) => void> = [];
  const batcher = new RequestBatcher<Item>(
    (items) => {
      records.push(items.map((i) => i.id));
      return new Promise<void>((resolve, reject) => acks.push((err) => (err ? reject(err) : resolve())));
    },
    { maxDelayMs: limits.maxDelayMs ?? 1000, maxRows: limits.maxRows ?? 100, maxBytes: limits.maxBytes ?? 10_000 },
  );
  return { batcher, records, acks };
}

describe('RequestBatcher', () => {
  it('sends a lone item at the end of its event-loop turn, without waiting for a window', async () => {
    const { batcher, records, acks } = harness({ maxDelayMs: 60_000 });
    const sent = batcher.add(item('a'));
    expect(records).toEqual([]);
    await turn();
    expect(records).toEqual([['a']]);
    acks[0]();
    await expect(sent).resolves.toBeUndefined();
  });

  it('puts every item of one turn into one record', async () => {
    const { batcher, records } = harness();
    for (const id of ['a', 'b', 'c']) void batcher.add(item(id));
    await turn();
    expect(records).toEqual([['a', 'b', 'c']]);
  });

  it('holds items while a record is in flight and sends them together once it is acknowledged', async () => {
    const { batcher, records, acks } = harness({ maxDelayMs: 60_000 });
    void batcher.add(item('a'));
    await turn();
    void batcher.add(item('b'));
    await turn();
    void batcher.add(item('c'));
    await turn();
    expect(records).toEqual([['a']]);
    acks[0]();
    await turn();
    await turn();
    expect(records).toEqual([['a'], ['b', 'c']]);
  });

  it('sends held items after maxDelayMs even when the record in flight is never acknowledged', async () => {
    const { batcher, records } = harness({ maxDelayMs: 30 });
    void batcher.add(item('a'));
    await turn();
    void batcher.add(item('b'));
    await new Promise((r) => setTimeout(r, 60));
    expect(records).toEqual([['a'], ['b']]);
  });

  it('never holds with maxDelayMs 0: each turn leaves in its own record', async () => {
    const { batcher, records } = harness({ maxDelayMs: 0 });
    void batcher.add(item('a'));
    await turn();
    void batcher.add(item('b'));
    await turn();
    expect(records).toEqual([['a'], ['b']]);
  });

  it('closes a record at maxRows at once and splits the rest by the cap', async () => {
    const { batcher, records, acks } = harness({ maxRows: 5 });
    void batcher.add(item('a', 3));
    void batcher.add(item('b', 2));
    expect(records).toEqual([['a', 'b']]);
    void batcher.add(item('c', 4));
    void batcher.add(item('d', 4));
    // c + d would be 8 rows: c leaves full-sized at once, d waits for the pipeline like any item.
    expect(records).toEqual([['a', 'b'], ['c']]);
    acks[0]();
    acks[1]();
    await turn();
    await turn();
    expect(records).toEqual([['a', 'b'], ['c'], ['d']]);
  });

  it('closes a record at maxBytes and sends an item over the cap alone', async () => {
    const { batcher, records } = harness({ maxBytes: 100, maxDelayMs: 0 });
    void batcher.add(item('a', 1, 60));
    void batcher.add(item('b', 1, 300));
    expect(records).toEqual([['a'], ['b']]);
    void batcher.add(item('c', 1, 30));
    await turn();
    expect(records).toEqual([['a'], ['b'], ['c']]);
  });

  it('rejects every item of a failed record with the send error and leaves other records alone', async () => {
    const { batcher, acks } = harness({ maxDelayMs: 60_000 });
    const a = batcher.add(item('a'));
    await turn();
    const b = batcher.add(item('b'));
    const c = batcher.add(item('c'));
    acks[0](new Error('broker down'));
    await expect(a).rejects.toThrow('broker down');
    await turn();
    await turn();
    acks[1]();
    await expect(b).resolves.toBeUndefined();
    await expect(c).resolves.toBeUndefined();
  });

  it('rejects the items when send throws synchronously instead of throwing from add', async () => {
    const batcher = new RequestBatcher<Item>(
      () => {
        throw new Error('encode failed');
      },
      { maxDelayMs: 0, maxRows: 10, maxBytes: 100 },
    );
    const a = batcher.add(item('a'));
    await expect(a).rejects.toThrow('encode failed');
    expect(batcher.queued).toBe(0);
  });

  it('reports each record to onRecord as it leaves', async () => {
    const seen: number[] = [];
    const batcher = new RequestBatcher<Item>(
      async () => undefined,
      { maxDelayMs: 0, maxRows: 10, maxBytes: 1000 },
      (items) => seen.push(items.length),
    );
    await Promise.all([batcher.add(item('a')), batcher.add(item('b'))]);
    await batcher.add(item('c'));
    expect(seen).toEqual([2, 1]);
  });
});
