import type { ModelArtifact, ModelRegistered } from '@app/contracts';
import { compileScorer, irisDataset } from '@app/model';
import { ModelRegistry } from '@app/registry';
import { trainModel } from '@app/training';
import { ModelCatalog } from './model-catalog';
import { ModelVersions } from './model-versions';

const GATE = { minAccuracy: 0, maxRegression: 1, minHoldoutRows: 1, maxReferenceRegression: 1 };
function record(version: number): ModelRegistered {
  const { params } = trainModel(irisDataset(), { testSize: 0.3, randomState: version, hyperparameters: { var_smoothing: 1e-9 } }, GATE, null);
  return { version, status: 'archived', model: { version, params } as ModelArtifact } as ModelRegistered;
}
const ROW = [5.9, 3.0, 5.1, 1.8];

describe('ModelVersions', () => {
  it('leaves unpinned requests to routing and scores a pinned version on its own parameters', async () => {
    const registry = new ModelRegistry();
    const v2 = record(2);
    registry.apply(v2);
    const [a, b] = await new ModelVersions(new ModelCatalog(registry)).resolve([undefined, 2]);
    expect(a).toBeUndefined();
    expect(b!.version).toBe(2);
    expect(b!.score(ROW).probabilities.virginica).toBe(compileScorer(v2.model.params)(ROW).probabilities[2]);
  });

  it('answers null for a version still unregistered after the arrival wait of 2 s', async () => {
    const started = Date.now();
    expect(await new ModelVersions(new ModelCatalog(new ModelRegistry())).resolve([7, undefined])).toEqual([null, undefined]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('scores a version registered while the request waits for it', async () => {
    const registry = new ModelRegistry();
    const resolved = new ModelVersions(new ModelCatalog(registry)).resolve([3]);
    setTimeout(() => registry.apply(record(3)), 50);
    const started = Date.now();
    expect((await resolved)[0]!.version).toBe(3);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
