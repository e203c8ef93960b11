import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InboundMessage } from './event-bus';
import { InMemoryEventBus } from './in-memory-event-bus';

const records = (values: string[], key?: string) => values.map((value) => ({ key, value, headers: { 'x-request-id': `req-${value}` } }));
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => String(from + i));
const valuesOf = (messages: InboundMessage[]) => messages.map((m) => m.value!.toString());

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Subscribes one member that records every value it is handed. */
async function collect(bus: InMemoryEventBus, groupId: string, topic = 't', fromBeginning = false) {
  const seen: string[] = [];
  const subscription = await bus.subscribe({
    groupId,
    topics: [{ topic, fromBeginning }],
    commitOffsets: true,
    handleBatch: async (batch) => void seen.push(...valuesOf(batch)),
  });
  return { seen, subscription };
}

describe('InMemoryEventBus delivery', () => {
  let bus: InMemoryEventBus;
  beforeEach(async () => {
    bus = new InMemoryEventBus();
    await bus.connect();
  });
  afterEach(() => bus.close());

  it('delivers every record to a group in the order it was sent, across batches of 100', async () => {
    const { seen } = await collect(bus, 'g');
    await bus.send('t', records(range(150)));
    await bus.send('t', records(range(100, 150)));
    await until(() => seen.length === 250);
    expect(seen).toEqual(range(250));
  });

  it('keeps each record in memory of its own size: a retained record never pins a shared buffer pool', async () => {
    const handed: InboundMessage[] = [];
    await bus.subscribe({ groupId: 'g', topics: [{ topic: 't', fromBeginning: true }], commitOffsets: true, handleBatch: async (b) => void handed.push(...b) });
    await bus.send('t', records(['a small value', 'é'.repeat(100)]));
    await until(() => handed.length === 2);
    // Buffer.from('a small value') is a 13-byte view of an 8 KiB (or larger) pool slab.
    expect(handed.map((m) => [m.value!.length, m.value!.buffer.byteLength])).toEqual([
      [13, 13],
      [200, 200],
    ]);
  });

  it('gives each of two groups every record', async () => {
    const a = await collect(bus, 'a');
    const b = await collect(bus, 'b');
    await bus.send('t', records(['x', 'y', 'z']));
    await until(() => a.seen.length === 3 && b.seen.length === 3);
    expect([a.seen, b.seen]).toEqual([
      ['x', 'y', 'z'],
      ['x', 'y', 'z'],
    ]);
  });

  it('shares a group between two members: each record is handled exactly once across them', async () => {
    const first = await collect(bus, 'g');
    const second = await collect(bus, 'g');
    await bus.send('t', records(range(250)));
    await until(() => first.seen.length + second.seen.length >= 250);
    await new Promise((r) => setTimeout(r, 50));
    expect(first.seen.length).toBeGreaterThan(0);
    expect(second.seen.length).toBeGreaterThan(0);
    expect([...first.seen, ...second.seen].sort((x, y) => Number(x) - Number(y))).toEqual(range(250));
  });

  it('replays earlier records to a new group subscribing from the beginning', async () => {
    await bus.send('t', records(['old-1', 'old-2']));
    const { seen } = await collect(bus, 'g', 't', true);
    await bus.send('t', records(['new']));
    await until(() => seen.length === 3);
    expect(seen).toEqual(['old-1', 'old-2', 'new']);
  });

  it('starts a new group at the end of the topic when fromBeginning is false', async () => {
    await bus.send('t', records(['old-1', 'old-2']));
    const { seen } = await collect(bus, 'g', 't', false);
    await bus.send('t', records(['new']));
    await until(() => seen.length >= 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['new']);
  });

  it('resumes a group at its committed position when a member rejoins', async () => {
    const first = await collect(bus, 'g', 't', true);
    await bus.send('t', records(['a', 'b']));
    await until(() => first.seen.length === 2);
    await first.subscription.close();
    await bus.send('t', records(['c']));
    const second = await collect(bus, 'g', 't', true);
    await until(() => second.seen.length === 1);
    expect([first.seen, second.seen]).toEqual([['a', 'b'], ['c']]);
  });

  it('redelivers the same batch after about a second when the handler throws, losing nothing', async () => {
    const attempts: Array<{ at: number; offsets: string[] }> = [];
    await bus.subscribe({
      groupId: 'g',
      topics: [{ topic: 't', fromBeginning: true }],
      commitOffsets: true,
      handleBatch: async (batch) => {
        attempts.push({ at: Date.now(), offsets: batch.map((m) => m.offset) });
        if (attempts.length === 1) throw new Error('handler failed');
      },
    });
    await bus.send('t', records(['a', 'b', 'c']));
    await until(() => attempts.length === 2, 4000);
    expect(attempts.map((a) => a.offsets)).toEqual([
      ['0', '1', '2'],
      ['0', '1', '2'],
    ]);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(900);
  });
});

describe('InMemoryEventBus compacted topics', () => {
  const send = (bus: InMemoryEventBus, topic: string) => bus.send(topic, [...records(['v1'], 'k1'), ...records(['v1'], 'k2'), ...records(['v2'], 'k1')]);
  const summary = (messages: InboundMessage[]) => messages.map((m) => [m.offset, m.key, m.value!.toString()]);

  it('keeps only the newest record per key in readToEnd, plain topics keep every record', async () => {
    const bus = new InMemoryEventBus({ compactedTopics: new Set(['state']) });
    await bus.connect();
    await send(bus, 'state');
    await send(bus, 'plain');
    expect(summary(await bus.readToEnd('state'))).toEqual([
      ['1', 'k2', 'v1'],
      ['2', 'k1', 'v2'],
    ]);
    expect(summary(await bus.readToEnd('plain'))).toEqual([
      ['0', 'k1', 'v1'],
      ['1', 'k2', 'v1'],
      ['2', 'k1', 'v2'],
    ]);
    await bus.close();
  });

  it('restores compacted topics from the persist dir in a new bus instance, but not plain topics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bus-'));
    try {
      const before = new InMemoryEventBus({ compactedTopics: new Set(['state']), persistDir: dir });
      await before.connect();
      await send(before, 'state');
      await send(before, 'plain');
      await before.close();

      const after = new InMemoryEventBus({ compactedTopics: new Set(['state']), persistDir: dir });
      await after.connect();
      const restored = await after.readToEnd('state');
      expect(restored.map((m) => [m.key, m.value!.toString(), m.headers])).toEqual([
        ['k2', 'v1', { 'x-request-id': 'req-v1' }],
        ['k1', 'v2', { 'x-request-id': 'req-v2' }],
      ]);
      expect(await after.readToEnd('plain')).toEqual([]);
      await after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('InMemoryEventBus retention', () => {
  const value = (i: number) => `${i}`.padStart(1000, '0');
  const send = async (bus: InMemoryEventBus, from: number, n: number) => {
    for (let i = from; i < from + n; i++) await bus.send('t', [{ value: value(i), headers: {} }]);
  };
  /** A group that joined and never finishes a batch. */
  const subscribeStalled = (bus: InMemoryEventBus) =>
    bus.subscribe({ groupId: 'stalled', topics: [{ topic: 't', fromBeginning: true }], commitOffsets: true, handleBatch: () => new Promise(() => undefined) });
  /** 500 records in sends of ten, each read by group g before the next: what the topic keeps after. */
  const sendAllRead = async (bus: InMemoryEventBus) => {
    await bus.connect();
    const { seen } = await collect(bus, 'g', 't', true);
    for (let round = 0; round < 50; round++) {
      await send(bus, round * 10, 10);
      await until(() => seen.length === (round + 1) * 10);
    }
    expect(seen).toHaveLength(500);
    return bus.readToEnd('t');
  };

  it('keeps a plain topic near its byte budget once every group has read it', async () => {
    const bus = new InMemoryEventBus({ retainBytes: 20_000 });
    const kept = await sendAllRead(bus);
    expect(kept.length).toBeLessThanOrEqual(20);
    expect(kept[kept.length - 1].value!.toString()).toBe(value(499));
    await bus.close();
  });

  it('keeps no more than retainReadBytes of records every group has read, whatever room the budget leaves', async () => {
    const bus = new InMemoryEventBus({ retainBytes: 200_000, retainReadBytes: 20_000 });
    // Each send trims what the group had read before it: the last send's ten records may be read by now.
    const kept = await sendAllRead(bus);
    expect(kept.length).toBeLessThanOrEqual(30);
    expect(kept[kept.length - 1].value!.toString()).toBe(value(499));
    // A late group from the beginning still finds the newest read records.
    const late = await collect(bus, 'late', 't', true);
    await until(() => late.seen.length === kept.length);
    await bus.close();
  });

  it('still lets a stalled group leave twice retainBytes unread before dropping any, with a small retainReadBytes', async () => {
    const dropped: number[] = [];
    const bus = new InMemoryEventBus({ retainBytes: 50_000, retainReadBytes: 5_000, backpressureMs: 20, onDrop: (_t, n) => dropped.push(n) });
    await bus.connect();
    await subscribeStalled(bus);
    await send(bus, 0, 90);
    expect(dropped).toEqual([]);
    expect((await bus.readToEnd('t')).length).toBe(90);
    await bus.close();
  });

  it('keeps unread records up to twice the budget, then drops the oldest and reports how many', async () => {
    const dropped: Array<[string, number]> = [];
    const bus = new InMemoryEventBus({ retainBytes: 20_000, backpressureMs: 20, onDrop: (topic, n) => dropped.push([topic, n]) });
    await bus.connect();
    // A group that joined and stalled: nothing it has not read may go until the hard limit.
    await subscribeStalled(bus);
    await send(bus, 0, 30);
    expect(dropped).toEqual([]);
    expect((await bus.readToEnd('t')).length).toBe(30);
    await send(bus, 30, 30);
    const kept = await bus.readToEnd('t');
    expect(kept.length).toBeLessThanOrEqual(40);
    expect(dropped.reduce((n, [, k]) => n + k, 0)).toBe(60 - kept.length);
    expect(dropped.every(([topic]) => topic === 't')).toBe(true);
  });

  it("slows a producer to a slow group's pace instead of dropping what the group has not read", async () => {
    const dropped: number[] = [];
    const bus = new InMemoryEventBus({ retainBytes: 20_000, backpressureMs: 10_000, onDrop: (_t, n) => dropped.push(n) });
    await bus.connect();
    const seen: string[] = [];
    let unreadAtMost = 0;
    await bus.subscribe({
      groupId: 'slow',
      topics: [{ topic: 't', fromBeginning: true }],
      commitOffsets: true,
      handleBatch: async (batch) => {
        await new Promise((r) => setTimeout(r, 20));
        seen.push(...batch.map((m) => m.value!.toString()));
      },
    });
    for (let i = 0; i < 300; i++) {
      await bus.send('t', [{ value: value(i), headers: {} }]);
      unreadAtMost = Math.max(unreadAtMost, i + 1 - seen.length);
    }
    await until(() => seen.length === 300);
    expect(dropped).toEqual([]);
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => value(i)));
    // Twice the budget of ~1 KB records, plus one batch in flight.
    expect(unreadAtMost).toBeLessThanOrEqual(41 + 100);
    await bus.close();
  });

  it('hands a group at most 1 MB per batch (at least one record), as a Kafka fetch does', async () => {
    const bus = new InMemoryEventBus({ maxMessageBytes: 900_000 });
    await bus.connect();
    for (let i = 0; i < 10; i++) await bus.send('big', [{ value: `${i}`.padEnd(400_000, 'x'), headers: {} }]);
    await bus.send('big', [{ value: 'y'.repeat(800_000), headers: {} }]);
    const sizes: number[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: [{ topic: 'big', fromBeginning: true }],
      commitOffsets: true,
      handleBatch: async (batch) => {
        sizes.push(batch.length);
      },
    });
    await until(() => sizes.reduce((a, b) => a + b, 0) === 11);
    expect(sizes).toEqual([2, 2, 2, 2, 2, 1]);
    await bus.close();
  });

  it('refuses a record over the message limit, as the broker would', async () => {
    const bus = new InMemoryEventBus({ maxMessageBytes: 500 });
    await bus.connect();
    await expect(bus.send('t', [{ value: 'x'.repeat(600), headers: {} }])).rejects.toThrow(/exceeds the broker's message limit of 500 bytes/);
    expect(await bus.readToEnd('t')).toEqual([]);
  });

  it('rewrites a persisted compacted topic with one line per key on start, so the file does not grow with history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bus-'));
    try {
      const before = new InMemoryEventBus({ compactedTopics: new Set(['state']), persistDir: dir });
      await before.connect();
      for (let i = 0; i < 100; i++) await before.send('state', [{ key: `k${i % 3}`, value: `v${i}`, headers: {} }]);
      await before.close();
      expect(readFileSync(join(dir, 'state.jsonl'), 'utf8').trim().split('\n')).toHaveLength(100);
      const after = new InMemoryEventBus({ compactedTopics: new Set(['state']), persistDir: dir });
      await after.connect();
      expect(readFileSync(join(dir, 'state.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
      expect((await after.readToEnd('state')).map((m) => [m.key, m.value!.toString()])).toEqual([
        ['k1', 'v97'],
        ['k2', 'v98'],
        ['k0', 'v99'],
      ]);
      await after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
