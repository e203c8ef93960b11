import type { ModelArtifact } from '@app/contracts';
import { compileScorer, irisDataset } from '@app/model';
import { trainModel } from '@app/training';
import { ModelVersions } from './model-versions';
import { loadModel } from './serving-model';

const GATE = { minAccuracy: 0, maxRegression: 1, minHoldoutRows: 1, maxReferenceRegression: 1 };
function artifact(version: number, randomState = version): ModelArtifact {
  const { params } = trainModel(irisDataset(), { testSize: 0.3, randomState, varSmoothing: 1e-9 }, GATE, null);
  return { version, params } as ModelArtifact;
}
const ROW = [5.9, 3.0, 5.1, 1.8];

describe('ModelVersions', () => {
  const serving = loadModel(artifact(1));

  it('scores a request without a version, or with the serving one, on the serving model and a named version on its own parameters', async () => {
    const versions = new ModelVersions();
    const v2 = artifact(2);
    versions.register(v2);
    const [a, b, c] = await versions.resolve([undefined, 1, 2], serving);
    expect(a).toBe(serving);
    expect(b).toBe(serving);
    expect(c!.version).toBe(2);
    expect(c!.score(ROW).probabilities.virginica).toBe(compileScorer(v2.params)(ROW).probabilities[2]);
  });

  it('answers null for a version still unregistered after the arrival wait', async () => {
    jest.useFakeTimers();
    try {
      const versions = new ModelVersions();
      const resolved = versions.resolve([7, undefined], serving);
      await jest.advanceTimersByTimeAsync(1999);
      let settled = false;
      void resolved.then(() => (settled = true));
      await Promise.resolve();
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(await resolved).toEqual([null, serving]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('scores a version registered while the request waits for it', async () => {
    const versions = new ModelVersions();
    const resolved = versions.resolve([3], serving);
    setTimeout(() => versions.register(artifact(3)), 50);
    const started = Date.now();
    expect((await resolved)[0]!.version).toBe(3);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('keeps the 8 most recently used versions compiled', async () => {
    const versions = new ModelVersions();
    for (let v = 2; v <= 10; v++) versions.register(artifact(v, 42));
    const first = (await versions.resolve([2], serving))[0];
    expect((await versions.resolve([2], serving))[0]).toBe(first);
    for (let v = 3; v <= 10; v++) await versions.resolve([v], serving);
    const again = (await versions.resolve([2], serving))[0];
    expect(again).not.toBe(first);
    expect(again!.version).toBe(2);
  });
});
