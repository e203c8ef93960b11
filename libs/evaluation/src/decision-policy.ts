import type { PairedComparison } from './paired-comparison';

export interface DecisionPolicyConfig {
  autoPromote: boolean;
  autoRollback: boolean;
  minLabels: number;
  alpha: number;
  cooldownMs: number;
}

export interface DecisionInput {
  now: number;
  /** When the registry last changed (any promotion, automatic or by hand). */
  lastChangeAt: number | null;
  current: number;
  previous: number | null;
  /** Shadow and canary versions, each compared with the current one on the same labeled rows. */
  challengers: Array<{ version: number; comparison: PairedComparison }>;
  /** The previous version against the current one on the last labeled rows. */
  previousComparison: PairedComparison | null;
}

export interface Decision {
  action: 'promote' | 'rollback';
  version: number;
  incumbent: number;
  comparison: PairedComparison;
  reason: string;
}

const fmt = (p: number) => p.toPrecision(3);

/**
 * Promote a challenger only when, on the same labeled rows, it is significantly more accurate than
 * the current version; roll back only when the previous version is significantly more accurate
 * than the current one on the latest labeled rows. Never on fewer than minLabels rows, never within
 * the cool-down after any change (no flapping), and only the changes the configuration allows.
 */
export function decide(input: DecisionInput, config: DecisionPolicyConfig): Decision | null {
  if (input.lastChangeAt !== null && input.now - input.lastChangeAt < config.cooldownMs) return null;
  const significantlyBetter = (c: PairedComparison) =>
    c.labeled >= config.minLabels && c.pValue < config.alpha && c.challengerOnly > c.incumbentOnly;
  if (config.autoRollback && input.previous !== null && input.previousComparison && significantlyBetter(input.previousComparison)) {
    const c = input.previousComparison;
    return {
      action: 'rollback',
      version: input.previous,
      incumbent: input.current,
      comparison: c,
      reason: `version ${input.previous} beat current version ${input.current} on the last ${c.labeled} labeled rows (${c.challengerOnly} vs ${c.incumbentOnly} discordant, McNemar p=${fmt(c.pValue)})`,
    };
  }
  if (config.autoPromote) {
    const best = input.challengers
      .filter((ch) => ch.version !== input.current && significantlyBetter(ch.comparison))
      .sort((a, b) => a.comparison.pValue - b.comparison.pValue)[0];
    if (best) {
      const c = best.comparison;
      return {
        action: 'promote',
        version: best.version,
        incumbent: input.current,
        comparison: c,
        reason: `version ${best.version} beat current version ${input.current} on ${c.labeled} labeled rows (${c.challengerOnly} vs ${c.incumbentOnly} discordant, McNemar p=${fmt(c.pValue)})`,
      };
    }
  }
  return null;
}
