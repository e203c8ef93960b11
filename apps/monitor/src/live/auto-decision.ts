import { randomUUID } from 'node:crypto';
import type { AppConfig } from '@app/config';
import type { RegistryCommand } from '@app/contracts';
import type { Decision, DecisionPolicyConfig } from '@app/evaluation';

/** The decision policy as configured: the same settings judge the default model and every named one. */
export function decisionPolicy(config: AppConfig): DecisionPolicyConfig {
  return {
    autoPromote: config.AUTO_PROMOTE,
    autoRollback: config.AUTO_ROLLBACK,
    minLabels: config.LIVE_MIN_LABELS,
    alpha: config.LIVE_ALPHA,
    cooldownMs: config.LIVE_COOLDOWN_SECONDS * 1000,
  };
}

/** The registry command an automatic decision asks the owner for, with its evidence; a named model's names it. */
export function autoCommand(decision: Decision, alpha: number, model?: string): RegistryCommand {
  const c = decision.comparison;
  return {
    command_id: randomUUID(),
    ...(model !== undefined ? { model_name: model } : {}),
    action: decision.action,
    version: decision.version,
    percent: null,
    reason: decision.reason,
    source: 'auto',
    incumbent_version: decision.incumbent,
    evidence: {
      test: 'mcnemar-exact',
      labeled: c.labeled,
      challenger_only_correct: c.challengerOnly,
      incumbent_only_correct: c.incumbentOnly,
      incumbent_accuracy: c.incumbentAccuracy ?? 0,
      challenger_accuracy: c.challengerAccuracy ?? 0,
      p_value: c.pValue,
      alpha,
    },
  };
}
