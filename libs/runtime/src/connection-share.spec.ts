import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ConnectionShare } from './connection-share';

const socketFrom = (remoteAddress: string) => Object.assign(new EventEmitter(), { remoteAddress }) as unknown as Socket;

describe('ConnectionShare', () => {
  it('admits maxPerAddress connections per address, and one more each time one of them closes', () => {
    const share = new ConnectionShare(2);
    const [a, b] = [socketFrom('198.51.100.1'), socketFrom('198.51.100.1')];
    expect([share.admit(a), share.admit(b), share.admit(socketFrom('198.51.100.1'))]).toEqual([true, true, false]);
    expect(share.admit(socketFrom('198.51.100.2'))).toBe(true);
    a.emit('close');
    expect(share.admit(socketFrom('198.51.100.1'))).toBe(true);
    expect(share.admit(socketFrom('198.51.100.1'))).toBe(false);
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as its IPv4', () => {
    const share = new ConnectionShare(1);
    expect(share.admit(socketFrom('2001:db8:1:2::1'))).toBe(true);
    expect(share.admit(socketFrom('2001:db8:1:2:ffff::7'))).toBe(false);
    expect(share.admit(socketFrom('2001:db8:1:3::1'))).toBe(true);
    expect(share.admit(socketFrom('198.51.100.1'))).toBe(true);
    expect(share.admit(socketFrom('::ffff:198.51.100.1'))).toBe(false);
  });
});
