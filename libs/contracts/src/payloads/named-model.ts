import { z } from 'zod';
import { MAX_FEATURES } from '@app/model';
import { modelNameSchema } from '../model-names';
import { modelRegisteredSchema } from './model';
import { modelRoutingSchema } from './registry';

const finite = z.number().refine(Number.isFinite, { message: 'must be finite' });

/** What a model's training data taught about its inputs: the features in order, each with its observed range. */
export const featureSchemaSchema = z.strictObject({
  /** The CSV column the labels came from. */
  label: z.string().min(1).max(200),
  features: z
    .array(z.strictObject({ name: z.string().min(1).max(200), min: finite, max: finite }))
    .min(1)
    .max(MAX_FEATURES),
  /**
   * The model's trusted reference set: its first dataset (a path below DATA_DIR, or `iris`), which
   * every later candidate is also judged on, so feedback or a new CSV cannot steer it unseen.
   */
  reference: z.strictObject({ dataset: z.string().min(1).max(4096), label: z.string().min(1).max(200) }),
});
export type FeatureSchemaRecord = z.infer<typeof featureSchemaSchema>;

/**
 * A version of a named model: the default model's record plus the model's name and feature
 * schema, keyed `name/version` on its own compacted topic (readers of the default model's
 * registry, keyed by version alone, never see it). `deleted_at` set on every version archives
 * the model: its routes answer 404, its name stays taken, its documents stay searchable.
 */
export const namedModelRegisteredSchema = modelRegisteredSchema.extend({
  model_name: modelNameSchema,
  schema: featureSchemaSchema,
  deleted_at: z.iso.datetime({ offset: true }).nullable(),
});
export type NamedModelRegistered = z.infer<typeof namedModelRegisteredSchema>;

/**
 * A named model's routing, keyed by name on its own compacted topic (readers of the default
 * model's routing, keyed `routing`, never see it): its current and previous version, when the
 * current one last changed (the cool-down of automatic decisions), its shadow and its canary.
 */
export const namedModelRoutingSchema = modelRoutingSchema.extend({ model_name: modelNameSchema });
export type NamedModelRouting = z.infer<typeof namedModelRoutingSchema>;
