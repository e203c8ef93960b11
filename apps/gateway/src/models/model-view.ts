import { z } from 'zod';
import { MODEL_STATUSES, evaluationSchema, featureBaselineSchema, type ModelRegistered } from '@app/contracts';
import { ALGORITHMS, describeModel } from '@app/model';

/** A registry record as the API shows it: the summary in listings, everything for one version. */
export const modelSummarySchema = z.strictObject({
  version: z.number().int().positive(),
  status: z.enum(MODEL_STATUSES),
  status_reason: z.string(),
  parent_version: z.number().int().positive().nullable(),
  job_id: z.string(),
  run_id: z.string(),
  registered_at: z.string(),
  trained_at: z.string(),
  checksum: z.string(),
  algorithm: z.enum(ALGORITHMS),
  description: z.string().meta({ description: 'The fitted model in a few words, e.g. "logistic regression (multinomial) over 3 classes, C=1"' }),
  accuracy: z.number(),
  macro_f1: z.number(),
});
export type ModelSummary = z.infer<typeof modelSummarySchema>;

export const modelDetailSchema = modelSummarySchema.extend({
  metrics: evaluationSchema,
  params: z.record(z.string(), z.unknown()).meta({
    description:
      'The fitted parameters in scikit-learn conventions: Gaussian NB means, variances and log priors, or logistic regression coefficients and intercepts',
  }),
  baselines: z.array(featureBaselineSchema),
});

export const modelListSchema = z.strictObject({
  current_version: z.number().int().positive().nullable(),
  previous_version: z.number().int().positive().nullable(),
  shadow_version: z.number().int().positive().nullable(),
  canary: z.strictObject({ version: z.number().int().positive(), percent: z.number() }).nullable(),
  models: z.array(modelSummarySchema).meta({ description: 'The default model’s versions' }),
  named_models: z.array(z.record(z.string(), z.unknown())).meta({ description: 'Every named model, as GET /models/{name} shows it' }),
});

export function modelSummary(r: ModelRegistered): ModelSummary {
  return {
    version: r.version,
    status: r.status,
    status_reason: r.status_reason,
    parent_version: r.parent_version,
    job_id: r.job_id,
    run_id: r.model.run_id,
    registered_at: r.registered_at,
    trained_at: r.model.trained_at,
    checksum: r.model.checksum,
    algorithm: r.model.params.algorithm,
    description: describeModel(r.model.params).summary,
    accuracy: r.model.metrics.accuracy,
    macro_f1: r.model.metrics.macro_f1,
  };
}

export function modelDetail(r: ModelRegistered) {
  return { ...modelSummary(r), metrics: r.model.metrics, params: r.model.params, baselines: r.model.baselines };
}
