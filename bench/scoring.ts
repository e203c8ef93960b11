import { compileScorer, irisDataset } from '@app/model';
import { trainModel } from '@app/training';
import { median } from './stats';

export interface ScoringResult {
  batch_rows: number;
  samples: number;
  rows_per_s_per_core: number;
}

/**
 * The worker's scorer on batches of iris rows, on this one thread (so: per core). The model is
 * the one the trainer registers as v1 on a fresh system (80/20 stratified split, seed 42).
 */
export function scoringThroughput(batchRows = 1000, batchesPerSample = 200, samples = 7): ScoringResult {
  const iris = irisDataset();
  const { params } = trainModel(
    iris,
    { testSize: 0.2, randomState: 42, hyperparameters: { var_smoothing: 1e-9 } },
    { minAccuracy: 0, maxRegression: 1, minHoldoutRows: 1, maxReferenceRegression: 1 },
    null,
  );
  const score = compileScorer(params);
  const batch = Array.from({ length: batchRows }, (_, i) => iris.X[i % iris.X.length]);
  let sink = 0;
  const rates: number[] = [];
  for (let s = 0; s < samples + 1; s++) {
    const t = process.hrtime.bigint();
    for (let b = 0; b < batchesPerSample; b++) for (const x of batch) sink += score(x).classId;
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    // The first sample only warms the JIT up.
    if (s > 0) rates.push((batchRows * batchesPerSample) / seconds);
  }
  // Keeps the optimiser from dropping the loop: every class id is 0..2.
  if (sink < 0) throw new Error('unreachable');
  return { batch_rows: batchRows, samples, rows_per_s_per_core: median(rates) };
}
