import { LogThrottle } from './log-throttle';

describe('LogThrottle', () => {
  it('passes a line once per interval per key and reports how many it held back', () => {
    let now = 0;
    const throttle = new LogThrottle(5000, () => now);
    expect(throttle.admit('a')).toBe(0);
    now = 1000;
    expect([throttle.admit('a'), throttle.admit('a'), throttle.admit('b')]).toEqual([undefined, undefined, 0]);
    now = 5000;
    expect(throttle.admit('a')).toBe(2);
  });
});
