import { SlidingWindowRateLimitStore } from './rate-limit-store';

const TTL = 60_000;

function storeAt(start: number, maxKeys?: number) {
  const clock = { t: start };
  const store = new SlidingWindowRateLimitStore({ now: () => clock.t, maxKeys });
  return { store, clock };
}

function hits(store: SlidingWindowRateLimitStore, key: string, n: number, limit: number): boolean[] {
  return Array.from({ length: n }, () => store.hit(key, TTL, limit).isBlocked);
}

describe('SlidingWindowRateLimitStore', () => {
  it('lets `limit` requests through in a window and refuses the next with a Retry-After in seconds', () => {
    const { store } = storeAt(10 * TTL + 15_000);
    expect(hits(store, 'a', 5, 5)).toEqual([false, false, false, false, false]);
    const refused = store.hit('a', TTL, 5);
    expect(refused.isBlocked).toBe(true);
    expect(refused.totalHits).toBe(6);
    // 45 s left in this window, then the full window weighs 5 → room for one more after 1/5 of the next.
    expect(refused.timeToBlockExpire).toBe(45 + 12);
  });

  it('counts the last window by how much of it the sliding window still covers', () => {
    const { store, clock } = storeAt(10 * TTL);
    expect(hits(store, 'a', 100, 100).every((b) => !b)).toBe(true);
    clock.t = 11 * TTL; // the last window weighs 100 in full
    expect(store.hit('a', TTL, 100).isBlocked).toBe(true);
    clock.t = 11 * TTL + TTL / 2; // now half of it: 50 more fit, not 51
    const results = hits(store, 'a', 51, 100);
    expect(results.filter((b) => !b)).toHaveLength(50);
    expect(results[50]).toBe(true);
  });

  it('does not count refused requests: a caller retrying all along gets in when Retry-After says', () => {
    const { store, clock } = storeAt(10 * TTL + 30_000);
    hits(store, 'a', 10, 10);
    let retryAfter = 0;
    for (let i = 0; i < 1000; i++) retryAfter = store.hit('a', TTL, 10).timeToBlockExpire;
    clock.t += retryAfter * 1000 - 1000;
    expect(store.hit('a', TTL, 10).isBlocked).toBe(true);
    clock.t += 1000;
    expect(store.hit('a', TTL, 10).isBlocked).toBe(false);
  });

  it('forgets a window that ended two windows ago', () => {
    const { store, clock } = storeAt(10 * TTL);
    hits(store, 'a', 10, 10);
    clock.t = 12 * TTL + 1;
    expect(hits(store, 'a', 10, 10).every((b) => !b)).toBe(true);
  });

  it('keeps callers apart', () => {
    const { store } = storeAt(0);
    hits(store, 'a', 3, 3);
    expect(store.hit('a', TTL, 3).isBlocked).toBe(true);
    expect(store.hit('b', TTL, 3).isBlocked).toBe(false);
  });

  it('holds at most maxKeys callers, forgetting the least recently seen', () => {
    const { store } = storeAt(0, 3);
    hits(store, 'a', 2, 2);
    hits(store, 'b', 2, 2);
    hits(store, 'c', 1, 2);
    store.hit('a', TTL, 2); // a is now the most recently seen; b the least
    store.hit('d', TTL, 2);
    expect(store.size).toBe(3);
    expect(store.hit('a', TTL, 2).isBlocked).toBe(true);
    expect(store.hit('b', TTL, 2).isBlocked).toBe(false); // forgotten, so counted afresh
  });

  it('stays exact at limits far past what a per-hit log can hold', () => {
    // The throttler's default storage keeps a timestamp per hit and spreads them into Math.min,
    // which throws past ~120,000 entries; counters have no such ceiling.
    const { store, clock } = storeAt(10 * TTL);
    const limit = 300_000;
    let passed = 0;
    for (let i = 0; i < limit + 10; i++) if (!store.hit('a', TTL, limit).isBlocked) passed++;
    expect(passed).toBe(limit);
    clock.t = 11 * TTL + TTL * 0.9;
    expect(store.hit('a', TTL, limit).isBlocked).toBe(false);
  });
});
