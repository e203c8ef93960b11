import { RetrainCooldown } from './retrain-cooldown';

describe('RetrainCooldown', () => {
  it('grants the first acquire, refuses within the cooldown and grants again once it has passed', () => {
    const cooldown = new RetrainCooldown(60_000);
    expect(cooldown.tryAcquire(1_000_000)).toBe(true);
    expect(cooldown.tryAcquire(1_000_001)).toBe(false);
    expect(cooldown.tryAcquire(1_059_999)).toBe(false);
    expect(cooldown.tryAcquire(1_060_000)).toBe(true);
  });

  it('measures the cooldown from the last granted acquire, not from refused ones', () => {
    const cooldown = new RetrainCooldown(10);
    expect([0, 5, 9, 10, 15, 19, 20].map((t) => cooldown.tryAcquire(t))).toEqual([true, false, false, true, false, false, true]);
  });

  it('grants the first acquire at time 0', () => {
    expect(new RetrainCooldown(1000).tryAcquire(0)).toBe(true);
  });
});
