import { modelArtifactSchema } from '@app/contracts';
import { compileScorer, irisDataset } from '@app/model';
import { modelChecksum, trainModel } from '@app/training';
import { loadModel } from './serving-model';

const GATE = { minAccuracy: 0, maxRegression: 1, minHoldoutRows: 1, maxReferenceRegression: 1 };

function artifact(algorithm: 'gaussian_nb' | 'logistic_regression') {
  const result = trainModel(irisDataset(), { testSize: 0.2, randomState: 42, algorithm }, GATE, null);
  const wire = {
    version: 4,
    run_id: 'run-4',
    trained_at: '2025-01-01T00:00:00.000Z',
    checksum: modelChecksum(result.params),
    params: result.params,
    metrics: result.evaluation,
    baselines: result.baselines,
  };
  return JSON.parse(JSON.stringify(wire)) as Record<string, unknown>;
}

describe('loadModel', () => {
  it.each([['gaussian_nb'], ['logistic_regression']] as const)('serves a %s artifact that came through the contract', (algorithm) => {
    const parsed = modelArtifactSchema.parse(artifact(algorithm));
    const row = [6.3, 2.5, 5.0, 1.9];
    const expected = compileScorer(parsed.params)(row);
    expect(parsed.params.algorithm).toBe(algorithm);
    expect(loadModel(parsed).score(row)).toEqual({
      prediction: expected.className,
      class_id: expected.classId,
      probability: expected.probability,
      probabilities: { setosa: expected.probabilities[0], versicolor: expected.probabilities[1], virginica: expected.probabilities[2] },
    });
  });

  it('is refused by the contract when a logistic regression’s coefficients do not match its classes', () => {
    const broken = artifact('logistic_regression');
    broken.params = { ...(broken.params as object), classNames: ['setosa', 'versicolor'] };
    const result = modelArtifactSchema.safeParse(broken);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toBe('coef: 3 rows do not match the 2 classNames (a model over 2 classes has 1 row)');
  });
});
