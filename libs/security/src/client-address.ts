import { normalizeIp } from '@nestjs/throttler';

/**
 * The address a client is counted by, wherever the platform counts clients (rate limits,
 * connection shares, failed keys): IPv4 as it is, an IPv4-mapped IPv6 address as its IPv4, any
 * other IPv6 address by its /64, since one host can hold all of that.
 */
export function clientGroup(address: string | undefined): string {
  return normalizeIp(address ?? 'unknown', 64);
}
