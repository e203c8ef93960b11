import type { LabeledDataset } from '../datasets';

/** One row scored: the most probable class and the probability of every class, in classNames order. */
export interface Score {
  classId: number;
  className: string;
  probability: number;
  probabilities: number[];
}

export type Scorer = (x: readonly number[]) => Score;

/** What every fitted model carries, whatever its algorithm: the input and output schema. */
export interface FittedModel {
  algorithm: string;
  featureNames: string[];
  classNames: string[];
}

/** A fitted model in a few words and numbers, for listings and run records. */
export interface ModelDescription {
  algorithm: string;
  summary: string;
  /** The fitting hyperparameters in scikit-learn's names; null where an imported model does not say. */
  hyperparameters: Record<string, number | null>;
  featureCount: number;
  classCount: number;
}

/**
 * One learning algorithm. Everything that arrives from outside (request bodies, registry
 * records, imported files) passes `hyperparameters` or `deserialize` first; `fit`, `compile` and
 * `describe` may then trust their input. Implementations are pure: no I/O, no clock, no randomness.
 */
export interface Estimator<P extends FittedModel, H> {
  readonly algorithm: P['algorithm'];
  /** Hyperparameters from an untrusted request, in scikit-learn's names; absent ones get the defaults. */
  hyperparameters(raw: unknown): H;
  fit(data: LabeledDataset, hyperparameters: H): P;
  /** Fitted params from untrusted JSON: a fresh copy holding only the known fields, or a RangeError naming the problem. */
  deserialize(raw: unknown): P;
  compile(params: P): Scorer;
  describe(params: P): ModelDescription;
}
