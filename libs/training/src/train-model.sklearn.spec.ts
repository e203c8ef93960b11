import { irisDataset, stratifiedSplit, type LabeledDataset } from '@app/model';
import { runPythonJson } from '../../../test/support/python-reference';
import { trainModel, type GateConfig, type TrainingParams } from './train-model';

interface SklearnHoldout {
  accuracy: number;
  macro_f1: number;
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  confusion_matrix: number[][];
  reference_accuracy: number;
}

const GATE: GateConfig = { minAccuracy: 0.8, maxRegression: 0.02, minHoldoutRows: 30, maxReferenceRegression: 0.02 };
const iris = irisDataset();
/** Every third versicolor and virginica row dropped: classes of unequal size, so priors and supports differ. */
const unbalanced: LabeledDataset = (() => {
  const rows = iris.y.flatMap((c, i) => (c === 0 || i % 3 !== 0 ? [i] : []));
  return { ...iris, X: rows.map((i) => iris.X[i]), y: rows.map((i) => iris.y[i]) };
})();

// The README's example retrain (test_size 0.3, random_state 7) among them.
const CASES: Array<[string, LabeledDataset, TrainingParams]> = [
  ['iris, test_size 0.2, random_state 42', iris, { testSize: 0.2, randomState: 42, hyperparameters: { var_smoothing: 1e-9 } }],
  ['iris, test_size 0.3, random_state 7', iris, { testSize: 0.3, randomState: 7, hyperparameters: { var_smoothing: 1e-9 } }],
  [
    'unbalanced iris, test_size 0.25, random_state 11, var_smoothing 0.01',
    unbalanced,
    { testSize: 0.25, randomState: 11, hyperparameters: { var_smoothing: 1e-2 } },
  ],
];

/**
 * The end-to-end tests expect what trainModel computes: they check that the trainer ran this
 * pipeline, not that the pipeline is right. This checks the pipeline after the split (fit on the
 * train rows, judge on the holdout and on the reference set, every metric) against scikit-learn.
 */
describe('trainModel against scikit-learn on the same split', () => {
  const reference = runPythonJson<SklearnHoldout[]>(
    'test/reference/sklearn_holdout.py',
    CASES.map(([, data, p]) => {
      const { trainIdx, testIdx } = stratifiedSplit(data.y, p.testSize, p.randomState);
      return {
        X: data.X,
        y: data.y,
        train_idx: trainIdx,
        test_idx: testIdx,
        var_smoothing: (p.hyperparameters as { var_smoothing: number }).var_smoothing,
        reference_X: iris.X,
        reference_y: iris.y,
        labels: [0, 1, 2],
      };
    }),
  );

  it.each(CASES.map((c, i) => [c[0], i] as const))('%s: the same holdout metrics and reference accuracy', (_name, i) => {
    const [, data, p] = CASES[i];
    const ref = reference[i];
    const result = trainModel(data, p, GATE, null, iris);
    const { evaluation } = result;
    expect(evaluation.confusion_matrix).toEqual(ref.confusion_matrix);
    expect(evaluation.holdout_size).toBe(ref.support.reduce((a, b) => a + b, 0));
    expect(evaluation.accuracy).toBeCloseTo(ref.accuracy, 12);
    expect(evaluation.macro_f1).toBeCloseTo(ref.macro_f1, 12);
    data.classNames.forEach((name, c) => {
      const mine = evaluation.per_class[name];
      expect([mine.support, mine.precision, mine.recall, mine.f1].map((v) => +v.toFixed(12))).toEqual(
        [ref.support[c], ref.precision[c], ref.recall[c], ref.f1[c]].map((v) => +v.toFixed(12)),
      );
    });
    expect(result.reference?.candidate_accuracy).toBeCloseTo(ref.reference_accuracy, 12);
  });

  it("gives the README's example retrain its documented figures: accuracy 0.9556 on 45 rows, 0.96 on the reference set", () => {
    expect(reference[1]).toMatchObject({
      accuracy: 0.9555555555555556,
      confusion_matrix: [
        [15, 0, 0],
        [0, 15, 0],
        [0, 2, 13],
      ],
      reference_accuracy: 0.96,
    });
  });
});
