import { ALGORITHMS, isAlgorithmName, validateModelParams, type ModelParams } from './registry';
import { objectOf, show } from './untrusted-json';

/** Where an imported model was fitted, as scripts/export-sklearn-model.py records it. */
export interface ModelSource {
  library: string;
  version: string;
  estimator: string;
}

export interface ImportedModel {
  params: ModelParams;
  source: ModelSource | null;
}

const MAX_SOURCE_FIELD = 100;

/**
 * Checks a model exported from another library (scripts/export-sklearn-model.py writes the same
 * params our trainer produces, plus `source`). Everything is validated as for a registry record:
 * unknown estimator types, shapes that disagree with the feature or class lists, NaN or infinite
 * parameters, non-positive variances. Each is a RangeError whose message names the field.
 */
export function importModel(json: unknown): ImportedModel {
  const o = objectOf(json, 'an imported model');
  if (!isAlgorithmName(o.algorithm)) {
    throw new RangeError(`algorithm: unknown estimator type ${show(o.algorithm)}; importable: ${ALGORITHMS.join(', ')}`);
  }
  return { params: validateModelParams(o), source: o.source === undefined ? null : modelSource(o.source) };
}

function modelSource(raw: unknown): ModelSource {
  const o = objectOf(raw, 'source');
  const field = (name: keyof ModelSource): string => {
    const v = o[name];
    if (typeof v !== 'string' || v === '' || v.length > MAX_SOURCE_FIELD)
      throw new RangeError(`source.${name}: expected a string of 1 to ${MAX_SOURCE_FIELD} characters, got ${show(v)}`);
    return v;
  };
  return { library: field('library'), version: field('version'), estimator: field('estimator') };
}
