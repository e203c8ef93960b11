import { CLASS_NAMES, FEATURE_NAMES, IRIS_ROWS, irisDataset } from './iris-dataset';

describe('iris dataset', () => {
  it('holds the 150 Fisher iris rows, 50 per class, in the classic order', () => {
    expect(IRIS_ROWS).toHaveLength(150);
    for (const c of CLASS_NAMES) expect(IRIS_ROWS.filter((r) => r.label === c)).toHaveLength(50);
    expect(IRIS_ROWS[0]).toEqual({ features: [5.1, 3.5, 1.4, 0.2], label: 'setosa' });
    expect(IRIS_ROWS[149]).toEqual({ features: [5.9, 3.0, 5.1, 1.8], label: 'virginica' });
  });

  it('has the column sums of scikit-learn load_iris() (876.5, 458.6, 563.7, 179.9)', () => {
    const sums = FEATURE_NAMES.map((_, j) => IRIS_ROWS.reduce((s, r) => s + r.features[j], 0));
    [876.5, 458.6, 563.7, 179.9].forEach((expected, j) => expect(sums[j]).toBeCloseTo(expected, 9));
  });

  it('builds a LabeledDataset with class indices, as a fresh copy each call', () => {
    const a = irisDataset();
    expect(a.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(a.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(a.y.slice(48, 52)).toEqual([0, 0, 1, 1]);
    a.X[0][0] = 99;
    expect(irisDataset().X[0][0]).toBe(5.1);
    expect(IRIS_ROWS[0].features[0]).toBe(5.1);
  });
});
