import {
  classificationReport,
  compileScorer,
  computeFeatureBaselines,
  evaluatePromotion,
  fitGaussianNB,
  stratifiedSplit,
  type FeatureBaseline,
  type GaussianNBParams,
  type LabeledDataset,
} from '@app/model';

export interface TrainingParams {
  testSize: number;
  randomState: number;
  varSmoothing: number;
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

export interface TrainingResult {
  params: GaussianNBParams;
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

function evaluate(params: GaussianNBParams, holdout: LabeledDataset): HoldoutEvaluation {
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

const sameShape = (a: GaussianNBParams, b: { featureNames: string[]; classNames: string[] }) =>
  a.featureNames.join() === b.featureNames.join() && a.classNames.join() === b.classNames.join();

/**
 * Split, fit, evaluate against the holdout and against the reference set, and decide promotion:
 * the whole pipeline, no I/O.
 */
export function trainModel(
  data: LabeledDataset,
  p: TrainingParams,
  gate: GateConfig,
  current: GaussianNBParams | null,
  referenceSet: LabeledDataset | null = null,
): TrainingResult {
  const { trainIdx, testIdx } = stratifiedSplit(data.y, p.testSize, p.randomState);
  const train = subset(data, trainIdx);
  const holdout = subset(data, testIdx);
  const params = fitGaussianNB(train, { varSmoothing: p.varSmoothing });
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
    reference: reference ? { candidateAccuracy: reference.candidate_accuracy, currentAccuracy: reference.current_accuracy, maxRegression: gate.maxReferenceRegression } : undefined,
  });
  return { params, evaluation, baselines: computeFeatureBaselines(train.X, train.featureNames), currentAccuracyOnHoldout, reference, decision };
}
