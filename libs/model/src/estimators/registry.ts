import type { LabeledDataset } from '../datasets';
import type { Estimator, ModelDescription, Scorer } from './estimator';
import { gaussianNB } from './gaussian-nb/gaussian-nb';
import { logisticRegression } from './logistic-regression/logistic-regression';
import { objectOf, show } from './untrusted-json';

/** Every algorithm the platform fits and serves, by the name requests and artifacts use. Adding one is adding a line here. */
export const ESTIMATORS = {
  gaussian_nb: gaussianNB,
  logistic_regression: logisticRegression,
} as const;

export type AlgorithmName = keyof typeof ESTIMATORS;
export const ALGORITHMS = Object.keys(ESTIMATORS) as AlgorithmName[];
export const DEFAULT_ALGORITHM = 'gaussian_nb' satisfies AlgorithmName;

/** The fitted params of one algorithm. */
export type ParamsOf<A extends AlgorithmName> = ReturnType<(typeof ESTIMATORS)[A]['fit']>;
/** The fitted params of any registered algorithm; `algorithm` tells them apart. */
export type ModelParams = ParamsOf<AlgorithmName>;

// The registry holds estimators of different param types; each is only ever handed params that its own deserialize produced.
type AnyEstimator = Estimator<ModelParams, unknown>;

export function isAlgorithmName(name: unknown): name is AlgorithmName {
  return typeof name === 'string' && Object.hasOwn(ESTIMATORS, name);
}

export function estimatorFor(algorithm: unknown): AnyEstimator {
  if (!isAlgorithmName(algorithm)) throw new RangeError(`algorithm: expected one of ${ALGORITHMS.map((a) => `"${a}"`).join(', ')}, got ${show(algorithm)}`);
  return ESTIMATORS[algorithm] as AnyEstimator;
}

/** Fitted params of any algorithm from untrusted JSON: a validated copy, or a RangeError naming the field at fault. */
export function validateModelParams(raw: unknown): ModelParams {
  return estimatorFor(objectOf(raw, 'model params').algorithm).deserialize(raw);
}

/** Validates params (they may come from anywhere) and compiles them into a scorer. */
export function compileScorer(params: ModelParams): Scorer {
  return estimatorFor(objectOf(params, 'model params').algorithm).compile(params);
}

/** Validates the hyperparameters (scikit-learn's names, from a request) and fits. */
export function fitModel(data: LabeledDataset, algorithm: AlgorithmName, hyperparameters?: unknown): ModelParams {
  const estimator = estimatorFor(algorithm);
  return estimator.fit(data, estimator.hyperparameters(hyperparameters));
}

export function describeModel(params: ModelParams): ModelDescription {
  return estimatorFor(params.algorithm).describe(params);
}
