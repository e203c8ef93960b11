import { inCanary } from './canary';

describe('inCanary', () => {
  it('sends about the given share of keys to the canary, the same key always the same way', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `req-${i}`);
    const share = keys.filter((k) => inCanary(k, 10)).length / keys.length;
    expect(share).toBeGreaterThan(0.09);
    expect(share).toBeLessThan(0.11);
    expect(keys.map((k) => inCanary(k, 10))).toEqual(keys.map((k) => inCanary(k, 10)));
    expect(keys.some((k) => inCanary(k, 0))).toBe(false);
    expect(keys.every((k) => inCanary(k, 100))).toBe(true);
  });

  it('keeps a key in the canary when the share grows', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i}`);
    for (const k of keys.filter((key) => inCanary(key, 5))) expect(inCanary(k, 20)).toBe(true);
  });
});
