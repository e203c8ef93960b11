import { z } from 'zod';

/**
 * The model `POST /predict`, `/invocations` and every route without a model name serve, and the
 * one the bootstrap trains. It keeps its own topics and registry; any other name is a named model.
 */
export const DEFAULT_MODEL = 'iris';

/**
 * Starts with a letter so `/models/3/promote` keeps meaning the default model's version 3, and
 * stays a safe path segment, index field value and metric label.
 */
export const MODEL_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

export const modelNameSchema = z.string().regex(MODEL_NAME_PATTERN, {
  message: 'must be a lowercase letter followed by at most 62 lowercase letters, digits or hyphens',
});

/** A name other than the default model's: those are served by the named-model path. */
export const namedModelSchema = modelNameSchema.refine((name) => name !== DEFAULT_MODEL, {
  message: `names the default model; its routes are the ones without a model name`,
});
