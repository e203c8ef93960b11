/**
 * When a crashed service is started again, as compose's `restart: unless-stopped` does it: at
 * once-ish, then less eagerly while it keeps crashing, so a service that cannot start (bad
 * configuration, broker gone) does not spin a core; a run that lasted counts as healthy again.
 */
export interface RestartPolicy {
  /** Delay before the first restart of a crash series. */
  initialDelayMs: number;
  /** Longest delay between restarts. */
  maxDelayMs: number;
  /** A run at least this long ends a crash series: the next crash restarts after initialDelayMs again. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 500, maxDelayMs: 10_000, resetAfterMs: 30_000 };

/** Delay before restart number `attempt` (1-based) of a crash series: doubling from initialDelayMs, capped. */
export function restartDelayMs(attempt: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  // Capping the exponent first keeps 2 ** n finite however long a service keeps crashing.
  const doublings = Math.min(attempt - 1, 30);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** doublings);
}

/** The attempt number of the restart that follows a run of `uptimeMs` after restart number `previousAttempt` (0 = first start). */
export function nextAttempt(previousAttempt: number, uptimeMs: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  return uptimeMs >= policy.resetAfterMs ? 1 : previousAttempt + 1;
}
