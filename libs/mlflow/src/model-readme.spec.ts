import type { ModelArtifact } from '@app/contracts';
import { compileScorer, fitGaussianNB, fitLogisticRegression, irisDataset, logisticRegression, type ModelParams } from '@app/model';
import { runPython } from '../../../test/support/python-reference';
import { modelReadme } from './model-readme';

const artifact = (params: ModelParams): ModelArtifact => ({
  version: 3,
  run_id: 'run',
  trained_at: '2026-12-03T00:00:00.000Z',
  checksum: 'a'.repeat(64),
  params,
  metrics: { accuracy: 1, macro_f1: 1, per_class: {}, confusion_matrix: [], holdout_size: 30 },
  baselines: [],
});

const QUERIES = [
  [5.1, 3.5, 1.4, 0.2],
  [6.4, 3.2, 4.5, 1.5],
  [6.3, 3.3, 6.0, 2.5],
];

/** The README's Python, run with real scikit-learn on `params` (read from stdin instead of MLflow) and QUERIES. */
function readmeProbabilities(readme: string, params: ModelParams): number[][] {
  const code = /```python\n([\s\S]*?)```/.exec(readme)![1];
  // The venv of the scikit-learn references has no MLflow: the file comes from stdin instead.
  const local = code
    .replace(/^from mlflow\.artifacts import download_artifacts$/m, '')
    .replace(/^params = json\.load\(open\(download_artifacts\(.*\)\)\)\["params"\]$/m, 'import sys\nparams = json.load(sys.stdin)["params"]')
    .replace(/^print\(model\.predict_proba\(x\)\)$/m, `print(json.dumps(model.predict_proba(np.array(${JSON.stringify(QUERIES)})).tolist()))`);
  expect(local).not.toContain('download_artifacts(');
  return JSON.parse(runPython(['-c', local], JSON.stringify({ params }))) as number[][];
}

describe("the model README mirrored to MLflow: each algorithm's scikit-learn loader", () => {
  const iris = irisDataset();
  it.each([
    ['gaussian_nb', fitGaussianNB(iris)],
    ['logistic_regression', fitLogisticRegression(iris, logisticRegression.hyperparameters({ C: 1 }))],
  ] as const)('rebuilds %s so that scikit-learn answers as the workers do', (algorithm, params) => {
    const readme = modelReadme('iris', artifact(params));
    expect(readme).toContain(`Algorithm: \`${algorithm}\``);
    const score = compileScorer(params);
    readmeProbabilities(readme, params).forEach((row, i) => row.forEach((p, k) => expect(Math.abs(p - score(QUERIES[i]).probabilities[k])).toBeLessThan(1e-9)));
  });
});
