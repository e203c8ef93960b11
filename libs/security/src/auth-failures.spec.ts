import { AuthFailures } from './auth-failures';

describe('AuthFailures', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('lets an address fail `limit` times in a window, then makes it wait for the rest of the window', () => {
    const failures = new AuthFailures(3, 60_000, clock);
    for (let i = 0; i < 2; i++) failures.record('203.0.113.7');
    expect(failures.retryAfterSeconds('203.0.113.7')).toBe(0);
    now += 10_000;
    failures.record('203.0.113.7');
    expect(failures.retryAfterSeconds('203.0.113.7')).toBe(50);
    expect(failures.retryAfterSeconds('203.0.113.8')).toBe(0);
    now += 49_500;
    expect(failures.retryAfterSeconds('203.0.113.7')).toBe(1);
    now += 500;
    expect(failures.retryAfterSeconds('203.0.113.7')).toBe(0);
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as its IPv4', () => {
    const failures = new AuthFailures(2, 60_000, clock);
    failures.record('2001:db8:1:2::1');
    failures.record('2001:db8:1:2:ffff::9');
    expect(failures.retryAfterSeconds('2001:db8:1:2:aaaa::1')).toBe(60);
    expect(failures.retryAfterSeconds('2001:db8:1:3::1')).toBe(0);
    failures.record('::ffff:198.51.100.1');
    failures.record('198.51.100.1');
    expect(failures.retryAfterSeconds('198.51.100.1')).toBe(60);
  });

  it('counts nothing with a limit of 0', () => {
    const failures = new AuthFailures(0, 60_000, clock);
    for (let i = 0; i < 100; i++) failures.record('203.0.113.7');
    expect(failures.retryAfterSeconds('203.0.113.7')).toBe(0);
  });

  it('tracks at most 10,000 addresses, forgetting the least recently failing first', () => {
    const failures = new AuthFailures(1, 60_000, clock);
    failures.record('10.0.0.0');
    for (let i = 1; i <= 10_000; i++) failures.record(`10.0.${i >> 8}.${i & 255}`);
    expect(failures.retryAfterSeconds('10.0.0.0')).toBe(0);
    expect(failures.retryAfterSeconds('10.0.0.1')).toBe(60);
  });
});
