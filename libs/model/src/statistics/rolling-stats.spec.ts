import { RollingStats } from './rolling-stats';

const names = { featureNames: ['a', 'b'], classNames: ['x', 'y', 'z'] };
const T0 = 1_700_000_000_000;

describe('RollingStats', () => {
  it('reports zeros, not NaN, for an empty window', () => {
    const s = new RollingStats(names).snapshot(T0);
    expect(s).toEqual({
      count: 0,
      features: { a: { count: 0, mean: 0, std: 0, min: 0, max: 0 }, b: { count: 0, mean: 0, std: 0, min: 0, max: 0 } },
      classMix: { x: 0, y: 0, z: 0 },
      latencyMs: { p50: 0, p95: 0, p99: 0 },
    });
  });

  it('summarises features with the population std, class mix as fractions, and interpolated latency percentiles', () => {
    const stats = new RollingStats(names);
    [
      [1, 10, 0, 5],
      [2, 20, 0, 1],
      [3, 30, 1, 3],
      [6, 40, 2, 2],
    ].forEach(([a, b, classId, latencyMs], i) => stats.add({ features: [a, b], classId, latencyMs, at: T0 + i }));
    const s = stats.snapshot(T0 + 10);
    expect(s.count).toBe(4);
    expect(s.features.a).toEqual({ count: 4, mean: 3, std: Math.sqrt(3.5), min: 1, max: 6 });
    expect(s.features.b).toEqual({ count: 4, mean: 25, std: Math.sqrt(125), min: 10, max: 40 });
    expect(s.classMix).toEqual({ x: 0.5, y: 0.25, z: 0.25 });
    // sorted latencies [1, 2, 3, 5]: p50 at rank 1.5 → 2.5, p95 at 2.85 → 4.7, p99 at 2.97 → 4.94 (numpy 'linear')
    expect(s.latencyMs.p50).toBe(2.5);
    expect(s.latencyMs.p95).toBeCloseTo(4.7, 12);
    expect(s.latencyMs.p99).toBeCloseTo(4.94, 12);
  });

  it('keeps only the newest maxCount observations', () => {
    const stats = new RollingStats({ ...names, maxCount: 3 });
    for (let i = 1; i <= 5; i++) stats.add({ features: [i, 0], classId: 0, latencyMs: i, at: T0 });
    expect(stats.values('a', T0)).toEqual([3, 4, 5]);
    expect(stats.snapshot(T0).count).toBe(3);
  });

  it('drops observations older than maxAgeMs relative to the now passed in', () => {
    const stats = new RollingStats({ ...names, maxAgeMs: 1000 });
    stats.add({ features: [1, 0], classId: 0, latencyMs: 1, at: T0 });
    stats.add({ features: [2, 0], classId: 1, latencyMs: 1, at: T0 + 500 });
    expect(stats.values('a', T0 + 1000)).toEqual([1, 2]);
    expect(stats.values('a', T0 + 1001)).toEqual([2]);
    expect(stats.snapshot(T0 + 1001).classMix).toEqual({ x: 0, y: 1, z: 0 });
    expect(stats.snapshot(T0 + 5000).count).toBe(0);
  });

  it('returns values oldest first across ring-buffer wrap-around', () => {
    const stats = new RollingStats({ ...names, maxCount: 4 });
    for (let i = 0; i < 10; i++) stats.add({ features: [i, -i], classId: i % 3, latencyMs: 0, at: T0 + i });
    expect(stats.values('a', T0 + 10)).toEqual([6, 7, 8, 9]);
    expect(stats.values('b', T0 + 10)).toEqual([-6, -7, -8, -9]);
  });

  it('rejects malformed observations and unknown features', () => {
    const stats = new RollingStats(names);
    const ok = { features: [1, 2], classId: 0, latencyMs: 1, at: T0 };
    expect(() => stats.add({ ...ok, features: [1] })).toThrow(/expected 2 features/);
    expect(() => stats.add({ ...ok, features: [1, NaN] })).toThrow(/finite/);
    expect(() => stats.add({ ...ok, classId: 3 })).toThrow(/classId 3/);
    expect(() => stats.add({ ...ok, latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => stats.add({ ...ok, at: NaN })).toThrow(/at must be/);
    expect(() => stats.values('c', T0)).toThrow(/unknown feature "c"/);
    expect(() => new RollingStats({ ...names, maxCount: 0 })).toThrow(RangeError);
  });

  it('stays bounded: 100,000 adds into a window of 100 hold exactly 100', () => {
    const stats = new RollingStats({ ...names, maxCount: 100 });
    const obs = { features: [1, 2], classId: 0, latencyMs: 1, at: T0 };
    for (let i = 0; i < 100_000; i++) stats.add(obs);
    expect(stats.snapshot(T0).count).toBe(100);
  });
});
