import { z } from 'zod';
import { MAX_NAME_CHARS } from '@app/model';
import { modelNameSchema } from '../model-names';
import { liveEvaluationSchema } from './live';
import { namedInstanceSchema } from './named-prediction';

const requestId = z.string().min(1).max(200);
const row = z.number().int().min(0).max(999);
const label = z.string().min(1).max(MAX_NAME_CHARS);

/**
 * Ground truth for a named model's prediction. Its own topic: the default model's feedback
 * takes only the iris classes, and readers of it during a rolling upgrade must not meet others.
 * On the bus the label is one of the model's classes: the gateway has refused the rest.
 */
export const namedFeedbackReceivedSchema = z.strictObject({
  model_name: modelNameSchema,
  request_id: requestId,
  row,
  label,
});
export type NamedFeedbackReceived = z.infer<typeof namedFeedbackReceivedSchema>;

/**
 * A named model's labeled row, joined (or waiting), keyed `name/request/row` on a compacted
 * topic as the default model's: it carries the input by feature name, so any version of the
 * model can score the row again for a paired comparison, and a restarted monitor rebuilds from it.
 */
export const namedLabeledRowSchema = z.strictObject({
  model_name: modelNameSchema,
  request_id: requestId,
  row,
  label,
  labeled_at: z.iso.datetime({ offset: true }),
  joined: z.boolean(),
  served_version: z.number().int().positive().nullable(),
  predicted: label.nullable(),
  input: namedInstanceSchema.nullable(),
  predicted_at: z.iso.datetime({ offset: true }).nullable(),
});
export type NamedLabeledRow = z.infer<typeof namedLabeledRowSchema>;

/** Live evaluation of one version of a named model, keyed `name/version` on a compacted topic. */
export const namedLiveEvaluationSchema = liveEvaluationSchema.extend({ model_name: modelNameSchema });
export type NamedLiveEvaluation = z.infer<typeof namedLiveEvaluationSchema>;
