import { OldestFirst } from './oldest-first';

describe('OldestFirst', () => {
  it('gives entries up oldest first, a renewed key counting from its last set', () => {
    const m = new OldestFirst<string, number>();
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    m.set('a', 4);
    expect(m.size).toBe(3);
    expect(m.get('a')).toBe(4);
    expect(m.shift()).toEqual(['b', 2]);
    expect(m.shift()).toEqual(['c', 3]);
    expect(m.oldest()).toEqual(['a', 4]);
    expect(m.shift()).toEqual(['a', 4]);
    expect(m.shift()).toBeUndefined();
    expect(m.size).toBe(0);
  });

  it('skips deleted entries', () => {
    const m = new OldestFirst<string, number>();
    for (const [k, v] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      m.set(k, v);
    expect(m.delete('a')).toBe(true);
    expect(m.delete('a')).toBe(false);
    expect(m.get('a')).toBeUndefined();
    expect(m.oldest()).toEqual(['b', 2]);
  });

  it('keeps the order of a plain Map over a long random workload, its bookkeeping bounded', () => {
    const m = new OldestFirst<number, number>();
    const reference = new Map<number, number>();
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 20_000; i++) {
      const key = Math.floor(random() * 500);
      const op = random();
      if (op < 0.6) {
        m.set(key, i);
        reference.delete(key);
        reference.set(key, i);
      } else if (op < 0.8) {
        expect(m.delete(key)).toBe(reference.delete(key));
      } else {
        const first = reference.entries().next();
        expect(m.shift()).toEqual(first.done ? undefined : first.value);
        if (!first.done) reference.delete(first.value[0]);
      }
      expect(m.size).toBe(reference.size);
      // Stale slots are dropped in bulk: never more than twice the live entries plus a constant.
      expect((m as unknown as { order: unknown[]; head: number }).order.length - (m as unknown as { head: number }).head).toBeLessThanOrEqual(2 * m.size + 65);
    }
    expect([...reference.keys()].map((k) => m.get(k))).toEqual([...reference.values()]);
  });
});
