import { z } from 'zod';
import type { NamedModelRegistered } from '@app/contracts';
import { ALGORITHMS } from '@app/model';
import type { ModelRegistry, NamedModels, NamedRoutings } from '@app/registry';
import type { NamedLiveEvaluations } from './live-evaluations';
import { modelSummary, modelSummarySchema } from './model-view';

const namedVersionSchema = modelSummarySchema.extend({
  live_labeled: z.number().int().nonnegative().meta({ description: 'Labeled rows this version served (POST /models/{name}/feedback)' }),
  live_accuracy: z.number().nullable().meta({ description: 'Its accuracy on them; GET /models/{name}/versions/{v}/live has the rest' }),
});

/** A named model as GET /models/{name} shows it: its schema, its current version and every version. */
export const namedModelViewSchema = z.strictObject({
  name: z.string(),
  status: z.enum(['serving', 'no_current_version', 'archived']),
  current_version: z.number().int().positive().nullable(),
  previous_version: z.number().int().positive().nullable().meta({ description: 'Where a rollback goes' }),
  shadow_version: z.number().int().positive().nullable().meta({ description: 'The version scoring every request beside the current one' }),
  canary: z
    .strictObject({ version: z.number().int().positive(), percent: z.number() })
    .nullable()
    .meta({ description: 'The version answering a share of the requests' }),
  algorithm: z.enum(ALGORITHMS).nullable().meta({ description: 'The current version’s' }),
  label: z.string().meta({ description: 'The CSV column its classes were learned from' }),
  features: z.array(z.strictObject({ name: z.string(), min: z.number(), max: z.number() })).meta({
    description: 'The request fields, in order, with the range the training data showed',
  }),
  classes: z.array(z.string()),
  accuracy: z.number().nullable().meta({ description: 'The current version’s on its holdout' }),
  live_accuracy: z.number().nullable().meta({ description: 'The current version’s on the labeled rows it served' }),
  archived_at: z.string().nullable(),
  versions: z.array(namedVersionSchema),
});
export type NamedModelView = z.infer<typeof namedModelViewSchema>;

export function namedModelView(
  name: string,
  registry: ModelRegistry<NamedModelRegistered>,
  archivedAt: string | null,
  live: NamedLiveEvaluations,
  routing: ReturnType<NamedRoutings['get']>,
): NamedModelView {
  const versions = registry.listAsServed();
  const current = archivedAt === null ? registry.current() : undefined;
  // The schema is the model's from its first version on; every later one was aligned to it.
  const shown = current ?? versions[versions.length - 1];
  return {
    name,
    status: archivedAt !== null ? 'archived' : current ? 'serving' : 'no_current_version',
    current_version: current?.version ?? null,
    previous_version: routing?.previous_version ?? null,
    shadow_version: archivedAt === null ? (routing?.shadow_version ?? null) : null,
    canary: archivedAt === null ? (routing?.canary ?? null) : null,
    algorithm: current?.model.params.algorithm ?? null,
    label: shown.schema.label,
    features: shown.schema.features,
    classes: shown.model.params.classNames,
    accuracy: current?.model.metrics.accuracy ?? null,
    live_accuracy: current ? (live.get(name, current.version)?.accuracy ?? null) : null,
    archived_at: archivedAt,
    versions: versions.map((r) => {
      const figures = live.get(name, r.version);
      return { ...modelSummary(r), live_labeled: figures?.labeled ?? 0, live_accuracy: figures?.accuracy ?? null };
    }),
  };
}

/** Every named model, archived ones included (their names stay taken), for GET /models. */
export function namedModelList(models: NamedModels, live: NamedLiveEvaluations, routings: NamedRoutings): NamedModelView[] {
  return models.names().map((name) => namedModelView(name, models.registry(name)!, models.archivedAt(name), live, routings.get(name)));
}
