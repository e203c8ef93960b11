import { classificationReport } from './metrics';

const NAMES = ['setosa', 'versicolor', 'virginica'];

describe('classificationReport', () => {
  it('matches sklearn precision_recall_fscore_support and macro F1 on a mixed example', () => {
    // sklearn: precision = recall = f1 = [2/3, 1/2, 3/4], support [3, 2, 4], macro F1 0.6388888888888888
    const r = classificationReport([0, 0, 0, 1, 1, 2, 2, 2, 2], [0, 1, 0, 1, 2, 2, 2, 0, 2], NAMES);
    expect(r.confusionMatrix).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [1, 0, 3],
    ]);
    expect(r.accuracy).toBe(6 / 9);
    expect(r.perClass.setosa).toEqual({ precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 });
    expect(r.perClass.versicolor).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(r.perClass.virginica).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, support: 4 });
    expect(r.macroF1).toBe(0.6388888888888888);
  });

  it('scores undefined ratios as 0 (zero_division=0), counting absent classes in the macro average like sklearn', () => {
    // sklearn with labels=[0,1,2]: precision [2/3, 0, 0], recall [1, 0, 0], f1 [0.8, 0, 0], macro 0.26666666666666666
    const r = classificationReport([0, 0, 1], [0, 0, 0], NAMES);
    expect(r.perClass.setosa).toEqual({ precision: 2 / 3, recall: 1, f1: 0.8, support: 2 });
    expect(r.perClass.versicolor).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.perClass.virginica).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.macroF1).toBe(0.26666666666666666);
  });

  it('reports a perfect score as 1 everywhere', () => {
    const r = classificationReport([0, 1, 2], [0, 1, 2], NAMES);
    expect(r.accuracy).toBe(1);
    expect(r.macroF1).toBe(1);
  });

  it('returns zeros rather than NaN for empty input', () => {
    const r = classificationReport([], [], NAMES);
    expect(r).toMatchObject({ accuracy: 0, macroF1: 0 });
    expect(r.perClass.setosa).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('rejects mismatched lengths and out-of-range labels', () => {
    expect(() => classificationReport([0, 1], [0], NAMES)).toThrow(/yTrue has 2 labels but yPred has 1/);
    expect(() => classificationReport([0, 3], [0, 1], NAMES)).toThrow(/yTrue\[1\] = 3/);
    expect(() => classificationReport([0, 1], [0, -1], NAMES)).toThrow(RangeError);
  });
});
