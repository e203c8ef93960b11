import { compileScorer, fitGaussianNB, irisDataset } from '@app/model';
import { distinctFlower } from './distinct-flowers';
import { vector } from './feature-rows';
import { answerMismatch, close, crossCheck, indistinguishablePairs, referenceAnswer, type Exchange, type ScoredAnswer } from './reference-scoring';

const params = fitGaussianNB(irisDataset());
const score = compileScorer(params);

/** What the workers answer for a row, in the gateway's shape. */
function served(x: number[]): ScoredAnswer {
  const s = score(x);
  return {
    prediction: s.className,
    class_id: s.classId,
    probability: s.probability,
    probabilities: Object.fromEntries(params.classNames.map((c, i) => [c, s.probabilities[i]])),
  };
}

const exchange = (n: number, over: Partial<Exchange> = {}): Exchange & { answer: ScoredAnswer } => ({
  label: `request ${n}`,
  input: distinctFlower(n),
  modelVersion: 1,
  answer: served(vector(distinctFlower(n))),
  ...over,
});

describe('referenceAnswer', () => {
  it("splits a versicolor/virginica borderline row as scikit-learn 1.9.1's predict_proba does", () => {
    const a = referenceAnswer(params, { sepal_length: 6.9, sepal_width: 3.1, petal_length: 4.9, petal_width: 1.5 });
    expect(a).toMatchObject({ prediction: 'virginica', class_id: 2 });
    expect(a.probabilities.versicolor).toBeCloseTo(0.4561513166494231, 12);
    expect(a.probabilities.virginica).toBeCloseTo(0.5438486833505769, 12);
    expect(a.probability).toBe(a.probabilities.virginica);
  });

  it("gives an outlier scikit-learn's probabilities, the tiny one included", () => {
    const a = referenceAnswer(params, { sepal_length: 0.001, sepal_width: 0.001, petal_length: 0.001, petal_width: 0.001 });
    expect(a.prediction).toBe('versicolor');
    expect(a.probabilities.setosa / 6.636605631559832e-5).toBeCloseTo(1, 9);
    expect(a.probabilities.virginica / 0.0020512757961012847).toBeCloseTo(1, 9);
  });

  it('agrees with the scorer the workers run on 3,000 distinct flowers of all three classes', () => {
    const flowers = Array.from({ length: 3000 }, (_, n) => distinctFlower(n));
    const disagreements = flowers.flatMap((f, n) => {
      const why = answerMismatch(served(vector(f)), referenceAnswer(params, f));
      return why ? [`flower ${n}: ${why}`] : [];
    });
    expect(disagreements).toEqual([]);
    expect(new Set(flowers.map((f) => referenceAnswer(params, f).prediction))).toEqual(new Set(['setosa', 'versicolor', 'virginica']));
  });
});

describe('crossCheck', () => {
  const versions = new Map([[1, params]]);

  it('passes answers that are each their own input’s, and proves they could be told apart', () => {
    expect(
      crossCheck(
        [0, 1, 2, 3].map((n) => exchange(n)),
        versions,
      ),
    ).toEqual({ checked: 4, wrong: [], indistinguishable: [] });
  });

  it('fails two requests of the same class whose answers were crossed', () => {
    const [a, b] = [exchange(3), exchange(6)];
    expect(a.answer.prediction).toBe(b.answer.prediction);
    const result = crossCheck(
      [
        { ...a, answer: b.answer },
        { ...b, answer: a.answer },
      ],
      versions,
    );
    expect(result.wrong).toHaveLength(2);
    expect(result.wrong[0]).toMatch(/^request 3: probability|^request 3: probabilities\./);
  });

  it('fails an answer of the right class with another input’s probabilities, however small the difference', () => {
    const a = exchange(0);
    const nudged = { ...a.answer, probabilities: { ...a.answer.probabilities, virginica: a.answer.probabilities.virginica * (1 + 1e-6) } };
    expect(crossCheck([{ ...a, answer: nudged }], versions).wrong).toEqual([
      `request 0: probabilities.virginica ${nudged.probabilities.virginica} instead of ${referenceAnswer(params, a.input).probabilities.virginica}`,
    ]);
  });

  it('fails an answer naming a version it has no parameters for', () => {
    expect(crossCheck([exchange(0, { modelVersion: 9 })], versions).wrong).toEqual(['request 0: model version 9 has no parameters to check against']);
  });

  it('names inputs it could not tell apart, whose crossing would go unseen', () => {
    expect(crossCheck([exchange(5, { label: 'first' }), exchange(5, { label: 'again' })], versions).indistinguishable).toEqual([
      'first and again under version 1',
    ]);
  });
});

describe('close', () => {
  it('holds normal numbers to 1e-9 relative, and subnormal ones to the floor below which they lose bits', () => {
    expect([close(0.5, 0.5 + 4e-10), close(0.5, 0.5 + 6e-10)]).toEqual([true, false]);
    expect([close(1e-20, 1.0000000001e-20), close(1e-20, 1.00001e-20)]).toEqual([true, false]);
    // What the fault suite's full run met: the same subnormal probability, computed two ways.
    expect(close(5.90393486e-316, 5.9039348e-316)).toBe(true);
    expect(close(1e-300, 2e-300)).toBe(false);
  });
});

describe('indistinguishablePairs', () => {
  it('finds none among 10,000 distinct flowers, so a crossing among them always shows', () => {
    const answers = Array.from({ length: 10_000 }, (_, n) => referenceAnswer(params, distinctFlower(n)));
    expect(indistinguishablePairs(answers)).toEqual([]);
  });

  it('finds equal answers wherever they are in the list', () => {
    const answers = [0, 1, 2, 3, 1, 4, 0].map((n) => referenceAnswer(params, distinctFlower(n)));
    expect(indistinguishablePairs(answers).sort()).toEqual([
      [0, 6],
      [1, 4],
    ]);
  });
});

describe('distinctFlower', () => {
  it('is the same flower for the same number, measured to the thousandth, within the gateway’s bounds', () => {
    expect(distinctFlower(7)).toEqual(distinctFlower(7));
    const values = Array.from({ length: 3000 }, (_, n) => vector(distinctFlower(n))).flat();
    expect(values.every((v) => v > 0 && v <= 100 && Math.abs(Math.round(v * 1000) - v * 1000) < 1e-6)).toBe(true);
  });
});
