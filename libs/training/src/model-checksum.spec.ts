import { irisDataset } from '@app/model';
import { modelChecksum } from './model-checksum';
import { trainModel } from './train-model';

const { params } = trainModel(
  irisDataset(),
  { testSize: 0.2, randomState: 42, hyperparameters: { var_smoothing: 1e-9 } },
  { minAccuracy: 0.9, maxRegression: 0.02, minHoldoutRows: 1, maxReferenceRegression: 1 },
  null,
);
const clone = () => structuredClone(params);

describe('modelChecksum', () => {
  it('is a sha256 hex digest: 64 lowercase hex characters', () => {
    expect(modelChecksum(params)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for equal params, whatever the key order', () => {
    const reordered = Object.fromEntries(Object.entries(params).reverse()) as typeof params;
    expect(modelChecksum(clone())).toBe(modelChecksum(params));
    expect(modelChecksum(reordered)).toBe(modelChecksum(params));
  });

  it('changes when one class mean changes', () => {
    const changed = clone();
    changed.means[1][2] += 1e-9;
    expect(modelChecksum(changed)).not.toBe(modelChecksum(params));
  });

  it('changes when a variance, a prior or varSmoothing changes', () => {
    const variance = clone();
    variance.variances[0][0] *= 2;
    const prior = clone();
    prior.logPriors[2] -= 0.1;
    expect(new Set([params, variance, prior, { ...clone(), varSmoothing: 1e-8 }].map(modelChecksum)).size).toBe(4);
  });
});
