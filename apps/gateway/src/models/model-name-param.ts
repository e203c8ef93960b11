import { DEFAULT_MODEL, modelNameSchema } from '@app/contracts';
import { HttpFailure } from '@app/runtime';

/** A path segment that is a model name, or a 400 saying what a name is (path tricks never reach a lookup). */
export function modelName(segment: string): string {
  const parsed = modelNameSchema.safeParse(segment);
  if (!parsed.success) throw new HttpFailure(400, 'invalid_model_name', `${JSON.stringify(segment.slice(0, 64))} ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** A named model's route called with the default model's name: a 400 naming the default model's own route. */
export function namedOnly(segment: string, instead: string): string {
  const model = modelName(segment);
  if (model === DEFAULT_MODEL) throw new HttpFailure(400, 'default_model', `the default model (${DEFAULT_MODEL}) has its own routes: ${instead}`);
  return model;
}

export function notFound(message: string): HttpFailure {
  return new HttpFailure(404, 'not_found', message);
}
