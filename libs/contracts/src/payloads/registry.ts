import { z } from 'zod';
import { modelNameSchema } from '../model-names';

/** Evidence behind an automatic decision: a paired test of two versions on the same labeled rows. */
export const decisionEvidenceSchema = z.strictObject({
  test: z.literal('mcnemar-exact'),
  labeled: z.number().int().nonnegative(),
  /** Rows only the challenger got right, and only the incumbent got right. */
  challenger_only_correct: z.number().int().nonnegative(),
  incumbent_only_correct: z.number().int().nonnegative(),
  incumbent_accuracy: z.number().min(0).max(1),
  challenger_accuracy: z.number().min(0).max(1),
  p_value: z.number().min(0).max(1),
  alpha: z.number().min(0).max(1),
});
export type DecisionEvidence = z.infer<typeof decisionEvidenceSchema>;

/** archive_model: a named model's DELETE (every version archived, the name kept). */
export const REGISTRY_ACTIONS = ['promote', 'rollback', 'shadow_start', 'shadow_stop', 'canary_start', 'canary_stop', 'archive_model'] as const;
export type RegistryAction = (typeof REGISTRY_ACTIONS)[number];

/**
 * A change to the registry or the routing, for its single owner (the trainer) to apply in order.
 * Gateways and the monitor publish these; nobody else writes registry records.
 */
export const registryCommandSchema = z.strictObject({
  command_id: z.string().min(1).max(200),
  /** A named model's command; absent for the default model. */
  model_name: modelNameSchema.optional(),
  action: z.enum(REGISTRY_ACTIONS),
  version: z.number().int().positive().nullable(),
  percent: z.number().min(0).max(100).nullable(),
  reason: z.string().max(500),
  source: z.enum(['manual', 'auto']),
  /** For automatic commands: the current version the evidence was gathered against; stale evidence is refused. */
  incumbent_version: z.number().int().positive().nullable(),
  evidence: decisionEvidenceSchema.nullable(),
});
export type RegistryCommand = z.infer<typeof registryCommandSchema>;

/** What the owner did with a command: every registry and routing change is one of these, applied or refused with the reason. */
export const modelDecisionSchema = z.strictObject({
  command_id: z.string().min(1).max(200),
  model_name: modelNameSchema.optional(),
  action: z.enum(REGISTRY_ACTIONS),
  source: z.enum(['manual', 'auto', 'retrain']),
  outcome: z.enum(['applied', 'refused']),
  version: z.number().int().positive().nullable(),
  previous_version: z.number().int().positive().nullable(),
  reason: z.string().max(1000),
  evidence: decisionEvidenceSchema.nullable(),
  decided_at: z.iso.datetime({ offset: true }),
});
export type ModelDecision = z.infer<typeof modelDecisionSchema>;

/** Which versions score besides the current one: a shadow (scored, never answered) and a canary (answers a share). */
export const modelRoutingSchema = z.strictObject({
  current_version: z.number().int().positive().nullable(),
  /** The version that was current before: where a rollback goes. */
  previous_version: z.number().int().positive().nullable(),
  /** When the current version last changed: the cool-down runs from here. */
  current_since: z.iso.datetime({ offset: true }).nullable(),
  shadow_version: z.number().int().positive().nullable(),
  canary: z.strictObject({ version: z.number().int().positive(), percent: z.number().min(0).max(100) }).nullable(),
  updated_at: z.iso.datetime({ offset: true }),
});
export type ModelRouting = z.infer<typeof modelRoutingSchema>;
