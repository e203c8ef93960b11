import { RecentPredictions, type SeenPrediction } from './recent-predictions';

const seen = (rows: number): SeenPrediction => ({
  version: 1,
  instances: Array.from({ length: rows }, () => ({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 })),
  classes: Array.from({ length: rows }, () => 'setosa'),
  at: '2026-11-28T00:00:00.000Z',
});

describe('RecentPredictions (monitor)', () => {
  it('keeps at most maxRows rows however few requests carry them, forgetting the oldest first', () => {
    const recent = new RecentPredictions(20_000, 2_500);
    for (let i = 0; i < 10; i++) recent.remember(`r${i}`, seen(1000));
    expect(recent.rows).toBe(2000);
    expect(recent.size).toBe(2);
    expect(recent.get('r7')).toBeUndefined();
    expect(recent.get('r8')?.classes).toHaveLength(1000);
    expect(recent.get('r9')).toBeDefined();
  });

  it('keeps at most maxRequests requests', () => {
    const recent = new RecentPredictions(3, 1_000_000);
    for (let i = 0; i < 5; i++) recent.remember(`r${i}`, seen(1));
    expect([...Array(5).keys()].map((i) => recent.get(`r${i}`) !== undefined)).toEqual([false, false, true, true, true]);
  });

  it('counts a request seen again once, as its newest copy', () => {
    const recent = new RecentPredictions(10, 10_000);
    recent.remember('r', seen(100));
    recent.remember('r', seen(40));
    expect(recent.rows).toBe(40);
    expect(recent.size).toBe(1);
  });

  it("bounds by the weight it is given: a named model's rows weigh their features", () => {
    const recent = new RecentPredictions<Array<Record<string, number>>>(100, 1_000, (x) => x.classes.length * Object.keys(x.instances[0]).length);
    const wide = {
      version: 1,
      instances: [Object.fromEntries(Array.from({ length: 200 }, (_, j) => [`f${j}`, j]))],
      classes: ['a'],
      at: '2026-12-03T00:00:00.000Z',
    };
    for (let i = 0; i < 6; i++) recent.remember(`r${i}`, { ...wide, instances: [...wide.instances, ...wide.instances], classes: ['a', 'b'] });
    expect([recent.rows, recent.size]).toEqual([800, 2]);
    expect(recent.get('r3')).toBeUndefined();
  });
});
