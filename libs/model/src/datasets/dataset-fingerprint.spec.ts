import { fingerprintDataset } from './dataset-fingerprint';
import { irisDataset } from './iris-dataset';

describe('fingerprintDataset', () => {
  it('pins the iris fingerprint so any change to the bundled data is noticed', () => {
    expect(fingerprintDataset(irisDataset())).toEqual({
      sha256: IRIS_SHA256,
      rows: 150,
      classCounts: { setosa: 50, versicolor: 50, virginica: 50 },
    });
  });

  it('is deterministic and changes when any value, label or the row order changes', () => {
    const iris = irisDataset();
    const sha = fingerprintDataset(iris).sha256;
    expect(fingerprintDataset(irisDataset()).sha256).toBe(sha);
    const edited = irisDataset();
    edited.X[10][2] += 0.1;
    expect(fingerprintDataset(edited).sha256).not.toBe(sha);
    const relabeled = irisDataset();
    relabeled.y[149] = 1;
    expect(fingerprintDataset(relabeled).sha256).not.toBe(sha);
    expect(fingerprintDataset({ ...iris, X: [...iris.X].reverse(), y: [...iris.y].reverse() }).sha256).not.toBe(sha);
  });

  it('hashes exactly the canonical JSON of names, rows and labels', () => {
    const data = { featureNames: ['x'], classNames: ['a', 'b'], X: [[1.5], [2]], y: [0, 1] };
    // echo -n '{"featureNames":["x"],"classNames":["a","b"],"X":[[1.5],[2]],"y":[0,1]}' | sha256sum
    expect(fingerprintDataset(data).sha256).toBe(SMALL_SHA256);
  });

  it('rejects a label that names no class', () => {
    expect(() => fingerprintDataset({ featureNames: ['x'], classNames: ['a'], X: [[1]], y: [1] })).toThrow(RangeError);
  });
});

// Cross-checked in Python: json.dumps(..., separators=(',', ':')) over sklearn's load_iris(), integral floats printed as ints like JS.
const IRIS_SHA256 = '6ef2e4324b70439345b110431683cc08abd4abc93b3d6fb6bcfd78fbd5d7fcc1';
const SMALL_SHA256 = '46d65ad1a4291957b97b11715d1c91534107f952b1fac99e6f04b567ff1ef22c';
