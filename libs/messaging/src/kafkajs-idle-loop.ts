import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The parts of kafkajs's per-connection request queue that the fix touches. */
export interface KafkajsRequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own retry interval for requests waiting on a throttle or the in-flight cap. */
const CHECK_PENDING_MS = 10;
const FIXED_VERSION = '2.2.4';

const kafkajsRoot = dirname(require.resolve('kafkajs/package.json'));

export function requestQueueClass(): { prototype: KafkajsRequestQueue } & (new (options: Record<string, unknown>) => KafkajsRequestQueue) {
  return createRequire(join(kafkajsRoot, 'index.js'))('./src/network/requestQueue/index.js') as never;
}

let applied: boolean | undefined;

/**
 * kafkajs 2.2.4, its last release, re-arms a timer after every check of its request queue, and
 * with nothing pending and no throttle the delay is negative, so each broker connection spins a
 * 1 ms timer for its whole life (kafkajs issues 1556, 1704, 1751): a thousand wake-ups a second
 * per connection, idle or not, and a TimeoutNegativeWarning on Node 24. A check is only needed
 * while requests wait (kafkajs re-checks when an in-flight one completes) or until a throttle ends,
 * so that is when this schedules one. Applied once, and only to the version it was written for.
 */
export function fixKafkajsIdleLoop(): boolean {
  if (applied !== undefined) return applied;
  const version = (JSON.parse(readFileSync(join(kafkajsRoot, 'package.json'), 'utf8')) as { version: string }).version;
  applied = version === FIXED_VERSION;
  if (!applied) return false;
  requestQueueClass().prototype.scheduleCheckPendingRequests = function (this: KafkajsRequestQueue) {
    if (this.throttleCheckTimeoutId) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    if (this.pending.length === 0 && untilUnthrottled <= 0) return;
    const delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_MS;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
  return true;
}
