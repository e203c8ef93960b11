import { z } from 'zod';
import { CLASS_NAMES } from '@app/model';
import { featuresSchema } from '../features';

export const MAX_FEEDBACK_ITEMS = 1000;

/** Ground truth for one scored row: the platform request id the prediction answered with, and the row of a batch. */
export const feedbackItemSchema = z.strictObject({
  request_id: z.string().min(1).max(200),
  row: z.number().int().min(0).max(999).default(0),
  label: z.string().min(1).max(100),
});
export type FeedbackItem = z.infer<typeof feedbackItemSchema>;

/** POST /feedback: one item, or up to 1000 as `items`. Labels are checked per item (unknown ones are counted as rejected, not a 400). */
export const feedbackBodySchema = z.union([
  feedbackItemSchema,
  z.strictObject({ items: z.array(feedbackItemSchema).min(1, { message: 'must contain at least 1 item' }).max(MAX_FEEDBACK_ITEMS) }),
]);

/** On the bus a label is one of the classes: the gateway has refused the rest. */
export const feedbackReceivedSchema = z.strictObject({
  request_id: z.string().min(1).max(200),
  row: z.number().int().min(0).max(999),
  label: z.enum(CLASS_NAMES),
});
export type FeedbackReceived = z.infer<typeof feedbackReceivedSchema>;

/**
 * A label joined (or waiting to be joined) with the prediction it judges, keyed by request and
 * row on a compacted topic. Carries the input so any version can re-score the row: paired
 * comparisons between versions need no stored predictions of theirs.
 */
export const labeledRowSchema = z.strictObject({
  request_id: z.string().min(1).max(200),
  row: z.number().int().min(0).max(999),
  label: z.enum(CLASS_NAMES),
  labeled_at: z.iso.datetime({ offset: true }),
  joined: z.boolean(),
  served_version: z.number().int().positive().nullable(),
  predicted: z.enum(CLASS_NAMES).nullable(),
  input: featuresSchema.nullable(),
  predicted_at: z.iso.datetime({ offset: true }).nullable(),
});
export type LabeledRow = z.infer<typeof labeledRowSchema>;
