import { irisDataset, stratifiedSplit, type GaussianNBParams } from '@app/model';
import { trainModel, type GateConfig, type TrainingParams } from './train-model';

const PARAMS: TrainingParams = { testSize: 0.2, randomState: 42, hyperparameters: { var_smoothing: 1e-9 } };
const GATE: GateConfig = { minAccuracy: 0.9, maxRegression: 0.02, minHoldoutRows: 30, maxReferenceRegression: 0.02 };

describe('trainModel on iris (testSize 0.2, randomState 42)', () => {
  const result = trainModel(irisDataset(), PARAMS, GATE, null);

  it('holds out 30 of the 150 rows, 10 per class', () => {
    expect(result.evaluation.holdout_size).toBe(30);
    expect(Object.values(result.evaluation.per_class).map((c) => c.support)).toEqual([10, 10, 10]);
  });

  it('scores an accuracy within [0.9, 1] that matches the confusion matrix diagonal', () => {
    const { accuracy, confusion_matrix: cm } = result.evaluation;
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(accuracy).toBeLessThanOrEqual(1);
    expect(accuracy).toBeCloseTo((cm[0][0] + cm[1][1] + cm[2][2]) / 30, 15);
  });

  it('gives a 3×3 confusion matrix whose cells sum to the holdout size', () => {
    const cm = result.evaluation.confusion_matrix;
    expect(cm.map((r) => r.length)).toEqual([3, 3, 3]);
    expect(cm.flat().reduce((s, v) => s + v, 0)).toBe(30);
  });

  it('computes baselines from the 120 training rows only, one per feature', () => {
    expect(result.baselines.map((b) => [b.feature, b.count])).toEqual([
      ['sepal_length', 120],
      ['sepal_width', 120],
      ['petal_length', 120],
      ['petal_width', 120],
    ]);
    expect(result.params.classCounts).toEqual([40, 40, 40]);
  });

  it('is deterministic: two runs give equal params and evaluation', () => {
    const again = trainModel(irisDataset(), PARAMS, GATE, null);
    expect(again.params).toEqual(result.params);
    expect(again.evaluation).toEqual(result.evaluation);
  });

  it('holds out different rows for a different randomState', () => {
    expect(trainModel(irisDataset(), { ...PARAMS, randomState: 7 }, GATE, null).params.means).not.toEqual(result.params.means);
  });
});

describe('trainModel promotion gate', () => {
  const first = trainModel(irisDataset(), PARAMS, GATE, null);

  it('promotes the first model and reports no current accuracy when nothing is serving', () => {
    expect(first.currentAccuracyOnHoldout).toBeNull();
    expect(first.decision.promote).toBe(true);
    expect(first.decision.reason).toContain('no model is serving');
  });

  it('promotes a retrain that equals the serving model (no regression on the same holdout)', () => {
    const retrain = trainModel(irisDataset(), PARAMS, GATE, first.params);
    expect(retrain.currentAccuracyOnHoldout).toBe(first.evaluation.accuracy);
    expect(retrain.decision.promote).toBe(true);
    expect(retrain.decision.reason).toContain('is within 0.0200 of the current model');
  });

  it('rejects the candidate with a reason naming the minimum when minAccuracy is 0.99', () => {
    const strict = trainModel(irisDataset(), PARAMS, { ...GATE, minAccuracy: 0.99 }, null);
    expect(strict.evaluation.accuracy).toBeLessThan(0.99);
    expect(strict.decision.promote).toBe(false);
    expect(strict.decision.reason).toContain('below the minimum 0.9900');
  });

  it('rejects a candidate that regresses against the serving model on the same holdout', () => {
    // Corrupt only the training rows (the split depends on labels alone, so the holdout is unchanged):
    // every versicolor training row gets a virginica row's measurements.
    const data = irisDataset();
    const { trainIdx } = stratifiedSplit(data.y, PARAMS.testSize, PARAMS.randomState);
    const virginica = trainIdx.filter((i) => data.y[i] === 2);
    trainIdx.filter((i) => data.y[i] === 1).forEach((i, k) => (data.X[i] = [...data.X[virginica[k]]]));
    const worse = trainModel(data, PARAMS, { ...GATE, minAccuracy: 0.5 }, first.params);
    expect(worse.currentAccuracyOnHoldout).toBe(first.evaluation.accuracy);
    expect(worse.evaluation.accuracy).toBeLessThan(first.evaluation.accuracy - 0.02);
    expect(worse.decision.promote).toBe(false);
    expect(worse.decision.reason).toContain("regresses more than 0.0200 from the current model's 0.9667");
  });

  it('rejects the swapped-label attack: setosa and virginica swapped in 90 rows, near perfect on its own holdout, promoted before the reference set', () => {
    const iris = irisDataset();
    // 30 rows of each class, labels 0 and 2 swapped: a self-consistent poisoned dataset.
    const rows = [0, 1, 2].flatMap((c) => iris.y.flatMap((y, i) => (y === c ? [i] : [])).slice(0, 30));
    const poisoned = { ...iris, X: rows.map((i) => iris.X[i]), y: rows.map((i) => (iris.y[i] === 0 ? 2 : iris.y[i] === 2 ? 0 : 1)) };
    const params = { testSize: 0.34, randomState: 42, hyperparameters: { var_smoothing: 1e-9 } };
    const withoutReference = trainModel(poisoned, params, GATE, first.params);
    expect([withoutReference.evaluation.accuracy, withoutReference.evaluation.holdout_size, withoutReference.currentAccuracyOnHoldout]).toEqual([
      0.9666666666666667, 30, 0.3,
    ]);
    expect(withoutReference.decision.promote).toBe(true);
    const guarded = trainModel(poisoned, params, GATE, first.params, iris);
    expect(guarded.reference).toEqual({ rows: 150, candidate_accuracy: 0.31333333333333335, current_accuracy: 0.9533333333333334 });
    expect(guarded.decision).toEqual({
      promote: false,
      reason: "candidate accuracy 0.3133 on the reference set regresses more than 0.0200 from the current model's 0.9533",
    });
  });

  it('rejects a 6-row dataset: its 3-row holdout proves nothing', () => {
    const iris = irisDataset();
    const rows = [0, 1, 50, 51, 100, 101];
    const tiny = { ...iris, X: rows.map((i) => iris.X[i]), y: rows.map((i) => iris.y[i]) };
    const result = trainModel(tiny, { ...PARAMS, testSize: 0.5 }, GATE, first.params, iris);
    expect(result.evaluation.holdout_size).toBe(3);
    expect(result.decision).toEqual({ promote: false, reason: 'the holdout has 3 rows; a candidate is judged on at least 30 (MIN_HOLDOUT_ROWS)' });
  });

  it('does not compare against a serving model with other features', () => {
    const other: GaussianNBParams = { ...first.params, featureNames: ['a', 'b', 'c', 'd'] };
    expect(trainModel(irisDataset(), PARAMS, GATE, other).currentAccuracyOnHoldout).toBeNull();
  });
});

describe('trainModel with logistic_regression', () => {
  const gnb = trainModel(irisDataset(), PARAMS, GATE, null);
  const lr = trainModel(irisDataset(), { ...PARAMS, algorithm: 'logistic_regression', hyperparameters: { C: 0.5 } }, GATE, gnb.params);

  it('fits the named algorithm on the same 120 training rows and judges it on the same 30', () => {
    expect(lr.algorithm).toBe('logistic_regression');
    expect(lr.params.algorithm).toBe('logistic_regression');
    expect(lr.hyperparameters).toEqual({ C: 0.5, max_iter: 100, tol: 1e-10 });
    expect(lr.evaluation.holdout_size).toBe(30);
    expect(lr.baselines.map((b) => b.count)).toEqual([120, 120, 120, 120]);
  });

  it('compares a LogisticRegression challenger with a Gaussian NB champion on the same holdout', () => {
    expect(lr.currentAccuracyOnHoldout).toBe(gnb.evaluation.accuracy);
    expect(lr.decision.promote).toBe(true);
  });

  it('records the default hyperparameters of gaussian_nb', () => {
    expect(trainModel(irisDataset(), { testSize: 0.2, randomState: 42 }, GATE, null).hyperparameters).toEqual({ var_smoothing: 1e-9 });
  });

  it('refuses hyperparameters the algorithm does not know before fitting', () => {
    expect(() => trainModel(irisDataset(), { ...PARAMS, algorithm: 'logistic_regression', hyperparameters: { var_smoothing: 1e-9 } }, GATE, null)).toThrow(
      new RangeError('logistic_regression params: unknown "var_smoothing"; known: C, max_iter, tol'),
    );
  });
});

describe('trainModel with an explicit holdout', () => {
  const iris = irisDataset();
  const holdoutRows = iris.y.flatMap((_, i) => (i % 5 === 0 ? [i] : []));
  const trainRows = iris.y.flatMap((_, i) => (i % 5 === 0 ? [] : [i]));
  const pick = (rows: number[]) => ({ ...iris, X: rows.map((i) => iris.X[i]), y: rows.map((i) => iris.y[i]) });
  const result = trainModel(pick(trainRows), { ...PARAMS, holdout: pick(holdoutRows) }, GATE, null);

  it('fits every training row and evaluates the holdout given', () => {
    expect(result.params.classCounts).toEqual([40, 40, 40]);
    expect(result.evaluation.holdout_size).toBe(30);
    expect(result.evaluation.per_class.setosa.support).toBe(10);
  });

  it('matches a holdout written with its columns in another order and only some classes', () => {
    const shuffled = pick(holdoutRows.filter((i) => iris.y[i] > 0));
    const reordered = {
      featureNames: [...shuffled.featureNames].reverse(),
      classNames: ['versicolor', 'virginica'],
      X: shuffled.X.map((x) => [...x].reverse()),
      y: shuffled.y.map((y) => y - 1),
    };
    const aligned = trainModel(pick(trainRows), { ...PARAMS, holdout: reordered }, { ...GATE, minHoldoutRows: 1 }, null);
    expect(aligned.params).toEqual(result.params);
    expect(aligned.evaluation.holdout_size).toBe(20);
    expect(aligned.evaluation.confusion_matrix.slice(1).map((row) => row.slice(1))).toEqual(
      result.evaluation.confusion_matrix.slice(1).map((row) => row.slice(1)),
    );
  });

  it('refuses a holdout whose features are not the training data’s', () => {
    const other = { ...pick(holdoutRows), featureNames: ['a', 'b', 'c', 'd'] };
    expect(() => trainModel(pick(trainRows), { ...PARAMS, holdout: other }, GATE, null)).toThrow(
      /the holdout lacks "sepal_length", "sepal_width", "petal_length", "petal_width" and has "a", "b", "c", "d"/,
    );
  });
});
