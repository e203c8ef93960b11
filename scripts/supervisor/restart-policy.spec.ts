import { DEFAULT_RESTART_POLICY, nextAttempt, restartDelayMs } from './restart-policy';

describe('restart policy', () => {
  it('waits 0.5 s, then doubles up to 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelayMs(n))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('stays at the cap after very many crashes', () => {
    expect(restartDelayMs(10_000)).toBe(10_000);
  });

  it('takes its numbers from the policy', () => {
    expect([1, 2, 3].map((n) => restartDelayMs(n, { initialDelayMs: 100, maxDelayMs: 250, resetAfterMs: 1000 }))).toEqual([100, 200, 250]);
  });

  it('refuses attempt numbers that are not positive integers', () => {
    expect(() => restartDelayMs(0)).toThrow('attempt must be a positive integer, got 0');
    expect(() => restartDelayMs(1.5)).toThrow('attempt must be a positive integer, got 1.5');
  });

  it('counts crashes in a series and starts over after a run of 30 s', () => {
    expect(nextAttempt(0, 200)).toBe(1);
    expect(nextAttempt(3, 29_999)).toBe(4);
    expect(nextAttempt(3, 30_000)).toBe(1);
    expect(DEFAULT_RESTART_POLICY.resetAfterMs).toBe(30_000);
  });
});
