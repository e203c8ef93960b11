import type { ExecutionContext } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { ApiKeys, parseKeys } from '@app/security';
import { rateLimitOptions } from './rate-limit';

const options = rateLimitOptions({ RATE_LIMIT: 10, RATE_LIMIT_WINDOW_SECONDS: 60 } as AppConfig, new ApiKeys(parseKeys('user-key-1'), parseKeys('')));

function trackerOf(remoteAddress: string, headers: Record<string, string> = {}): string {
  return options.getTracker!({ socket: { remoteAddress }, headers } as never, {} as ExecutionContext) as string;
}

describe('rateLimitOptions', () => {
  it('counts an IPv6 client by its /64: rotating the interface id does not make a new caller', () => {
    expect(trackerOf('2001:db8:1:2:aaaa::1')).toBe(trackerOf('2001:db8:1:2:ffff:1:2:3'));
    expect(trackerOf('2001:db8:1:2::1')).not.toBe(trackerOf('2001:db8:1:3::1'));
  });

  it('counts IPv4 clients by address, mapped or not', () => {
    expect(trackerOf('10.1.2.3')).toBe(trackerOf('::ffff:10.1.2.3'));
    expect(trackerOf('10.1.2.3')).not.toBe(trackerOf('10.1.2.4'));
  });

  it('counts a valid API key as one caller wherever it comes from, and an unknown key by address', () => {
    const key = { authorization: 'Bearer user-key-1' };
    expect(trackerOf('10.0.0.1', key)).toBe(trackerOf('2001:db8::1', key));
    expect(trackerOf('10.0.0.1', key)).not.toContain('user-key-1');
    expect(trackerOf('10.0.0.1', { authorization: 'Bearer made-up' })).toBe(trackerOf('10.0.0.1'));
  });

  it('keys a counter by route and caller', () => {
    const context = (name: string) => ({ getClass: () => ({ name: 'PredictionController' }), getHandler: () => ({ name }) }) as unknown as ExecutionContext;
    const generateKey = options.generateKey!;
    expect(generateKey(context('predict'), 'ip:10.0.0.1', 'default')).not.toBe(generateKey(context('status'), 'ip:10.0.0.1', 'default'));
    expect(generateKey(context('predict'), 'ip:10.0.0.1', 'default')).not.toBe(generateKey(context('predict'), 'ip:10.0.0.2', 'default'));
  });
});
