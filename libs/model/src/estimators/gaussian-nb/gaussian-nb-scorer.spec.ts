import { GaussianNB } from 'ml-naivebayes';
import { irisDataset } from '../../datasets';
import { compileScorer } from '../registry';
import { fitGaussianNB } from './gaussian-nb';
import type { GaussianNBParams } from './gaussian-nb-params';
import { scoreGaussianNB } from './gaussian-nb-scorer';

const params = fitGaussianNB(irisDataset());

function expectValid(score: ReturnType<typeof scoreGaussianNB>): void {
  expect(score.probabilities).toHaveLength(3);
  expect(score.probabilities.every((p) => Number.isFinite(p) && p >= 0 && p <= 1)).toBe(true);
  expect(score.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
  expect(score.probability).toBe(Math.max(...score.probabilities));
  expect(score.className).toBe(params.classNames[score.classId]);
}

describe('compileScorer', () => {
  const score = compileScorer(params);

  it('predicts setosa with near certainty for the first iris row', () => {
    const s = score([5.1, 3.5, 1.4, 0.2]);
    expect(s).toMatchObject({ classId: 0, className: 'setosa' });
    expect(s.probability).toBeGreaterThan(1 - 1e-12);
  });

  it('splits a versicolor/virginica borderline row as scikit-learn does (0.456 / 0.544)', () => {
    const s = score([6.9, 3.1, 4.9, 1.5]);
    expect(s.className).toBe('virginica');
    expect(s.probabilities[1]).toBeCloseTo(0.4561513166494231, 12);
    expect(s.probabilities[2]).toBeCloseTo(0.5438486833505769, 12);
  });

  // Expected values: scikit-learn 1.9.1 GaussianNB(var_smoothing=1e-9).fit(iris).predict_proba(x).
  it.each([
    [[100, 100, 100, 100], 'virginica', [0, 0, 1]],
    [[0.001, 0.001, 0.001, 0.001], 'versicolor', [6.636605631559832e-5, 0.9978823581475718, 0.0020512757961012847]],
    [[0, 0, 0, 0], 'versicolor', [6.429025042360969e-5, 0.9978557653213763, 0.002079944428200314]],
    // Far from every class the quadratic term decides: virginica, with the widest variances, wins outright.
    [[-1e6, 1e6, -1e6, 1e6], 'virginica', [0, 0, 1]],
  ])("scores the outlier %j as %s with scikit-learn's probabilities", (x, expected, probabilities) => {
    const s = score(x);
    expectValid(s);
    expect(s.className).toBe(expected);
    probabilities.forEach((p, i) => expect(s.probabilities[i]).toBeCloseTo(p, 12));
  });

  it('falls back to the nearest class in variance-weighted distance when the squared distance overflows', () => {
    const s = score([1e200, 1e200, 1e200, 1e200]);
    expectValid(s);
    // virginica has the largest variances, so it is the least surprised by a point at infinity.
    expect(s).toMatchObject({ className: 'virginica', probabilities: [0, 0, 1] });
  });

  it("gives scikit-learn's probabilities through scoreGaussianNB too, whose cache keeps one scorer per params object", () => {
    // scikit-learn 1.9.1 GaussianNB(var_smoothing=v).fit(iris).predict_proba([[5.8, 2.7, 5.1, 1.9]]) for v = 1e-9 and 1e-2.
    const x = [5.8, 2.7, 5.1, 1.9];
    const expected = new Map([
      [params, [1.0694769812321954e-152, 0.025012163568870475, 0.9749878364311293]],
      [fitGaussianNB(irisDataset(), { varSmoothing: 1e-2 }), [1.0489139868805886e-62, 0.13028491374015402, 0.8697150862598458]],
    ]);
    // Each params object twice, interleaved: a cache keyed by anything coarser would answer one with the other's scorer.
    for (const p of [...expected.keys(), ...expected.keys()]) {
      const s = scoreGaussianNB(p, x);
      expect(s.className).toBe('virginica');
      expected.get(p)!.forEach((v, i) => expect(s.probabilities[i]).toBeCloseTo(v, 12));
      expect(s.probabilities[0] / expected.get(p)![0]).toBeCloseTo(1, 9);
    }
    expected.get(params)!.forEach((v, i) => expect(score(x).probabilities[i]).toBeCloseTo(v, 12));
  });

  it('rejects a feature vector of the wrong length or with non-finite values', () => {
    expect(() => score([1, 2, 3])).toThrow(/expected 4 features/);
    expect(() => score([1, 2, NaN, 4])).toThrow(/petal_length must be a finite number, got NaN/);
    expect(() => score([1, 2, 3, Infinity])).toThrow(RangeError);
  });

  it('refuses to compile invalid params', () => {
    const broken: GaussianNBParams = { ...params, variances: [[1, 1, 1, 0], ...params.variances.slice(1)] };
    expect(() => compileScorer(broken)).toThrow(/variances\[0\]\[3\]/);
  });

  it('uses every feature, unlike ml-naivebayes predict, which only looks at the first two', () => {
    // Classes are identical in features 1 and 2 and separated only by feature 3.
    const X = [
      [1, 5, 1],
      [2, 6, 1.5],
      [1, 5, 9],
      [2, 6, 9.5],
    ];
    const y = [0, 0, 1, 1];
    const lib = new GaussianNB();
    lib.train(X, y);
    expect(
      lib.predict([
        [1.5, 5.5, 1.2],
        [1.5, 5.5, 9.2],
      ]),
    ).toEqual([0, 0]);
    const ours = compileScorer(fitGaussianNB({ featureNames: ['a', 'b', 'c'], classNames: ['low', 'high'], X, y }));
    expect([ours([1.5, 5.5, 1.2]).classId, ours([1.5, 5.5, 9.2]).classId]).toEqual([0, 1]);
  });
});
