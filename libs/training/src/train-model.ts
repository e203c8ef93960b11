import {
  alignDataset,
  classificationReport,
  compileScorer,
  computeFeatureBaselines,
  DEFAULT_ALGORITHM,
  estimatorFor,
  evaluatePromotion,
  stratifiedSplit,
  type AlgorithmName,
  type FeatureBaseline,
  type LabeledDataset,
  type ModelParams,
  type ParamsOf,
} from '@app/model';

export interface TrainingParams<A extends AlgorithmName = typeof DEFAULT_ALGORITHM> {
  /** Defaults to gaussian_nb. */
  algorithm?: A;
  /** The estimator's hyperparameters in scikit-learn's names ({ var_smoothing } or { C, max_iter, tol }); it validates them and fills in defaults. */
  hyperparameters?: unknown;
  testSize: number;
  randomState: number;
  /**
   * Rows to judge the candidate on instead of a split of `data`; every row of `data` is then
   * fitted and testSize/randomState are unused. Its features and classes are matched to the
   * training data's by name.
   */
  holdout?: LabeledDataset;
  /** A model fitted elsewhere (imported): judged and gated like a candidate, not fitted. Its algorithm wins over `algorithm`. */
  fitted?: ModelParams;
}

export interface HoldoutEvaluation {
  accuracy: number;
  macro_f1: number;
  per_class: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion_matrix: number[][];
  holdout_size: number;
}

export interface GateConfig {
  minAccuracy: number;
  maxRegression: number;
  minHoldoutRows: number;
  maxReferenceRegression: number;
}

/** Candidate and current model on the trusted reference set. */
export interface ReferenceEvaluation {
  rows: number;
  candidate_accuracy: number;
  current_accuracy: number | null;
}

export interface TrainingResult<A extends AlgorithmName = AlgorithmName> {
  algorithm: A;
  /** The hyperparameters the candidate was fitted with, defaults included: what a run record shows. */
  hyperparameters: Record<string, unknown>;
  params: ParamsOf<A>;
  evaluation: HoldoutEvaluation;
  baselines: FeatureBaseline[];
  /** The serving model scored on the very same holdout, so the comparison is like for like. */
  currentAccuracyOnHoldout: number | null;
  reference: ReferenceEvaluation | null;
  decision: { promote: boolean; reason: string };
}

function subset(data: LabeledDataset, idx: number[]): LabeledDataset {
  return { ...data, X: idx.map((i) => data.X[i]), y: idx.map((i) => data.y[i]) };
}

function evaluate(params: ModelParams, holdout: LabeledDataset): HoldoutEvaluation {
  const score = compileScorer(params);
  const predicted = holdout.X.map((x) => score(x).classId);
  const report = classificationReport(holdout.y, predicted, holdout.classNames);
  return {
    accuracy: report.accuracy,
    macro_f1: report.macroF1,
    per_class: report.perClass,
    confusion_matrix: report.confusionMatrix,
    holdout_size: holdout.y.length,
  };
}

const sameShape = (a: ModelParams, b: { featureNames: string[]; classNames: string[] }) =>
  a.featureNames.join() === b.featureNames.join() && a.classNames.join() === b.classNames.join();

function trainAndHoldout(data: LabeledDataset, p: TrainingParams<AlgorithmName>): { train: LabeledDataset; holdout: LabeledDataset } {
  if (p.holdout) return { train: data, holdout: alignDataset(p.holdout, data, 'the holdout') };
  const { trainIdx, testIdx } = stratifiedSplit(data.y, p.testSize, p.randomState);
  return { train: subset(data, trainIdx), holdout: subset(data, testIdx) };
}

/**
 * Split (or take the given holdout), fit, evaluate against the holdout and against the reference
 * set, and decide promotion: the whole pipeline, no I/O. The current model may be of another
 * algorithm; it is compared on the same rows all the same.
 */
export function trainModel<A extends AlgorithmName = typeof DEFAULT_ALGORITHM>(
  data: LabeledDataset,
  p: TrainingParams<A>,
  gate: GateConfig,
  current: ModelParams | null,
  referenceSet: LabeledDataset | null = null,
): TrainingResult<A> {
  const algorithm = (p.fitted?.algorithm ?? p.algorithm ?? DEFAULT_ALGORITHM) as A;
  const estimator = estimatorFor(algorithm);
  const { train, holdout } = trainAndHoldout(data, p);
  const hyperparameters = p.fitted
    ? (estimator.describe(p.fitted).hyperparameters as Record<string, unknown>)
    : (estimator.hyperparameters(p.hyperparameters) as Record<string, unknown>);
  if (p.fitted && !sameShape(p.fitted, data))
    throw new RangeError(
      `the imported model takes features [${p.fitted.featureNames.join(', ')}] and classes [${p.fitted.classNames.join(', ')}]; this model's are [${data.featureNames.join(', ')}] and [${data.classNames.join(', ')}]`,
    );
  const params = (p.fitted ?? estimator.fit(train, hyperparameters)) as ParamsOf<A>;
  const evaluation = evaluate(params, holdout);
  const comparable = current !== null && sameShape(current, params);
  const currentAccuracyOnHoldout = comparable ? evaluate(current, holdout).accuracy : null;
  const reference =
    referenceSet && sameShape(params, referenceSet)
      ? {
          rows: referenceSet.y.length,
          candidate_accuracy: evaluate(params, referenceSet).accuracy,
          current_accuracy: comparable ? evaluate(current, referenceSet).accuracy : null,
        }
      : null;
  const decision = evaluatePromotion({
    candidateAccuracy: evaluation.accuracy,
    currentAccuracyOnSameHoldout: currentAccuracyOnHoldout,
    minAccuracy: gate.minAccuracy,
    maxRegression: gate.maxRegression,
    holdoutSize: evaluation.holdout_size,
    minHoldoutRows: gate.minHoldoutRows,
    reference: reference
      ? { candidateAccuracy: reference.candidate_accuracy, currentAccuracy: reference.current_accuracy, maxRegression: gate.maxReferenceRegression }
      : undefined,
  });
  return {
    algorithm,
    hyperparameters,
    params,
    evaluation,
    baselines: computeFeatureBaselines(train.X, train.featureNames),
    currentAccuracyOnHoldout,
    reference,
    decision,
  };
}
