import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { compileScorer, importModel, irisDataset, parseTabularCsv } from '@app/model';
import { PYTHON, REPO_ROOT, runPython } from '../support/python-reference';

const IRIS_FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const SEED_REQUEST = [5.1, 3.5, 1.4, 0.2];
// The seed's example, every 7th iris row and points outside the data.
const IRIS_QUERIES = { featureNames: IRIS_FEATURES, X: [SEED_REQUEST, ...irisDataset().X.filter((_, i) => i % 7 === 0), [0, 0, 0, 0], [30, -4, 12, 9]] };
const CANCER_TEST = parseTabularCsv(readFileSync(join(REPO_ROOT, 'data', 'breast-cancer-test.csv'), 'utf8'), 'class').data;

let dir: string;

function exportModel(model: string, ...args: string[]) {
  const out = join(dir, `${model}.json`);
  const run = spawnSync(PYTHON, [join(REPO_ROOT, 'scripts', 'export-sklearn-model.py'), join(dir, model), ...args, '--out', out], { encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr.trim(), json: run.status === 0 ? (JSON.parse(readFileSync(out, 'utf8')) as unknown) : undefined };
}

function sklearnProba(model: string, queries: number[][]): { proba: number[][]; predict: string[] } {
  return JSON.parse(runPython([join(REPO_ROOT, 'test', 'reference', 'sklearn_models.py'), 'proba', join(dir, model)], JSON.stringify({ queries }))) as {
    proba: number[][];
    predict: string[];
  };
}

function maxAbsDifference(a: number[][], b: number[][]): number {
  return Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i][j]))));
}

describe('scripts/export-sklearn-model.py, then importModel', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'export-sklearn-'));
    // The seed's own recipe: LogisticRegression(max_iter=200, random_state=42), iris, test_size 0.2, random_state 42.
    runPython([join(REPO_ROOT, 'bench', 'baseline', 'train.py'), join(dir, 'iris_model.pkl')]);
    runPython([join(REPO_ROOT, 'test', 'reference', 'sklearn_models.py'), 'make', dir]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the seed’s iris_model.pkl with the seed’s documented confidence, 0.9766, for its example request', () => {
    const exported = exportModel('iris_model.pkl', '--feature-names', ...IRIS_FEATURES, '--class-names', 'setosa', 'versicolor', 'virginica');
    expect(exported.stderr).toBe(`${join(dir, 'iris_model.pkl.json')}: LogisticRegression over 4 features and classes ['setosa', 'versicolor', 'virginica']`);
    const { params, source } = importModel(exported.json);
    expect(source).toMatchObject({ library: 'scikit-learn', estimator: 'LogisticRegression' });
    expect(params).toMatchObject({ algorithm: 'logistic_regression', featureNames: IRIS_FEATURES, classNames: ['setosa', 'versicolor', 'virginica'], C: 1 });
    const answer = compileScorer(params)(SEED_REQUEST);
    expect(answer.className).toBe('setosa');
    expect(answer.probability.toFixed(4)).toBe('0.9766');
    expect(Math.abs(answer.probability - sklearnProba('iris_model.pkl', [SEED_REQUEST]).proba[0][0])).toBeLessThan(1e-9);
  });

  it.each([
    ['the seed’s multinomial LogisticRegression (pickle)', 'iris_model.pkl', IRIS_QUERIES],
    ['a GaussianNB with uneven priors (joblib)', 'gnb.joblib', IRIS_QUERIES],
    ['a binary LogisticRegression on breast cancer (joblib)', 'cancer-lr.joblib', CANCER_TEST],
  ])('answers as scikit-learn’s predict_proba within 1e-9 for %s', (_, model, { featureNames, X }) => {
    const score = compileScorer(importModel(exportModel(model, '--feature-names', ...featureNames).json).params);
    const reference = sklearnProba(model, X);
    const ours = X.map(score);
    expect(
      maxAbsDifference(
        ours.map((s) => s.probabilities),
        reference.proba,
      ),
    ).toBeLessThan(1e-9);
    expect(ours.map((s) => s.className)).toEqual(reference.predict);
  });

  it.each([
    [
      'a model fitted without feature names, none given',
      'iris_model.pkl',
      [],
      'the model was fitted without feature names; pass --feature-names with its 4 features in order',
    ],
    ['too few feature names', 'iris_model.pkl', ['--feature-names', 'a', 'b'], '--feature-names has 2 names but the model has 4 features'],
    [
      'duplicate class names',
      'iris_model.pkl',
      ['--feature-names', 'a,b,c,d', '--class-names', 'x', 'x', 'y'],
      "classes names must be unique and non-empty, got ['x', 'x', 'y']",
    ],
    [
      'a one-vs-rest LogisticRegression',
      'ovr.pkl',
      ['--feature-names', 'a,b,c,d'],
      "a one-vs-rest LogisticRegression (multi_class='ovr'); only multinomial models are served as scikit-learn scores them",
    ],
    [
      'a NaN coefficient',
      'nan.pkl',
      ['--feature-names', 'a,b,c,d'],
      'the model holds NaN or infinite parameters (Out of range float values are not JSON compliant: nan)',
    ],
    [
      'a DecisionTreeClassifier',
      'tree.pkl',
      ['--feature-names', 'a,b,c,d'],
      'a sklearn.tree._classes.DecisionTreeClassifier; the platform imports GaussianNB and LogisticRegression',
    ],
    [
      'a Pipeline',
      'pipeline.pkl',
      ['--feature-names', 'a,b,c,d'],
      'a Pipeline: the platform applies no preprocessing; export a GaussianNB or LogisticRegression fitted on the raw features',
    ],
  ])('refuses %s with exit status 1 and the reason', (_, model, args, reason) => {
    const exported = exportModel(model, ...args);
    expect(exported.status).toBe(1);
    expect(exported.stderr).toBe(`cannot export ${join(dir, model)}: ${reason}`);
  });
});
