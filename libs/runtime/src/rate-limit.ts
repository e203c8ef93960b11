import { createHash } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import type { AppConfig } from '@app/config';
import { ACCESS_LEVEL, type ApiKeys, clientGroup, presentedKey } from '@app/security';
import { SlidingWindowRateLimitStore } from './rate-limit-store';

/**
 * RATE_LIMIT requests per window per caller: a valid API key is its own bucket (every client of
 * one key shares it), anything else is counted by client address, so random keys cannot dodge
 * the limit; an IPv6 client is counted by its /64, since one host can have all of it. Probes
 * (public routes) are never limited. Counters live in each process, two per caller and route
 * (see SlidingWindowRateLimitStore).
 */
export function rateLimitOptions(config: AppConfig, keys: ApiKeys): Exclude<ThrottlerModuleOptions, unknown[]> {
  return {
    throttlers: [{ ttl: config.RATE_LIMIT_WINDOW_SECONDS * 1000, limit: config.RATE_LIMIT }],
    storage: new SlidingWindowRateLimitStore(),
    skipIf: (context: ExecutionContext) =>
      config.RATE_LIMIT === 0 || context.getType() !== 'http' || Reflect.getMetadata(ACCESS_LEVEL, context.getHandler()) === 'public',
    getTracker: (req: Record<string, unknown>) => {
      const r = req as unknown as Request;
      const key = presentedKey(r.headers);
      if (key && keys.identify(key)) return `key:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
      return `ip:${clientGroup(r.socket.remoteAddress)}`;
    },
    // The tracker is short already (an address or a key's hash), so the key needs no hash of its own per request.
    generateKey: (context: ExecutionContext, tracker: string) => `${context.getClass().name}.${context.getHandler().name}|${tracker}`,
    errorMessage: `rate limit of ${config.RATE_LIMIT} requests per ${config.RATE_LIMIT_WINDOW_SECONDS} s exceeded (RATE_LIMIT); retry after the Retry-After seconds`,
  };
}
