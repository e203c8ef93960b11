import type { TrainingRun } from '@app/contracts';
import { mirroredRun } from './run-mapping';

/** The promoted run README's retrain example records. */
const PROMOTED: TrainingRun = {
  job_id: 'e08c220e-1f96-45bf-a520-b90cf01b20a5',
  run_id: '5c37d62e-c6ab-80d3-9220-257ff0307398',
  status: 'promoted',
  params: { test_size: 0.3, random_state: 7, var_smoothing: 1e-9, dataset: 'iris', reason: 'manual' },
  dataset: {
    sha256: '6ef2e4324b70439345b110431683cc08abd4abc93b3d6fb6bcfd78fbd5d7fcc1',
    rows: 150,
    class_counts: { setosa: 50, versicolor: 50, virginica: 50 },
  },
  metrics: {
    accuracy: 0.9555555555555556,
    macro_f1: 0.9553571428571429,
    per_class: {
      setosa: { precision: 1, recall: 1, f1: 1, support: 15 },
      versicolor: { precision: 0.8823529411764706, recall: 1, f1: 0.9375, support: 15 },
      virginica: { precision: 1, recall: 0.8666666666666667, f1: 0.9285714285714286, support: 15 },
    },
    confusion_matrix: [
      [15, 0, 0],
      [0, 15, 0],
      [0, 2, 13],
    ],
    holdout_size: 45,
  },
  current_model_accuracy_on_holdout: 0.9333333333333333,
  reference: { dataset: 'iris', rows: 150, candidate_accuracy: 0.96, current_accuracy: 0.9533333333333334 },
  model_version: 2,
  artifact_checksum: '4ace0d6ed1a9eaa8c1daf4a4d811fb34781232e7a2e8f88287ca7d766290edcc',
  code_version: 'dev',
  started_at: '2026-11-28T14:35:35.267Z',
  finished_at: '2026-11-28T14:35:35.272Z',
  duration_ms: 5,
  outcome_reason: 'candidate accuracy 0.9556 meets the minimum 0.8000',
};
const FINISHED_AT = Date.parse('2026-11-28T14:35:35.272Z');

describe('mirroredRun', () => {
  it('maps a promoted run to a FINISHED MLflow run with its params, every metric and its tags', () => {
    const run = mirroredRun(PROMOTED);
    expect(run).toMatchObject({
      platformRunId: '5c37d62e-c6ab-80d3-9220-257ff0307398',
      jobId: PROMOTED.job_id,
      runName: PROMOTED.job_id,
      startTime: Date.parse('2026-11-28T14:35:35.267Z'),
      endTime: FINISHED_AT,
      status: 'FINISHED',
    });
    expect(Object.fromEntries(run.params.map((p) => [p.key, p.value]))).toEqual({
      algorithm: 'gaussian_nb',
      test_size: '0.3',
      random_state: '7',
      var_smoothing: '1e-9',
      dataset: 'iris',
      reason: 'manual',
    });
    expect(run.metrics.every((m) => m.timestamp === FINISHED_AT && m.step === 0)).toBe(true);
    expect(Object.fromEntries(run.metrics.map((m) => [m.key, m.value]))).toEqual({
      holdout_accuracy: 0.9555555555555556,
      holdout_macro_f1: 0.9553571428571429,
      holdout_size: 45,
      holdout_precision_setosa: 1,
      holdout_recall_setosa: 1,
      holdout_f1_setosa: 1,
      holdout_precision_versicolor: 0.8823529411764706,
      holdout_recall_versicolor: 1,
      holdout_f1_versicolor: 0.9375,
      holdout_precision_virginica: 1,
      holdout_recall_virginica: 0.8666666666666667,
      holdout_f1_virginica: 0.9285714285714286,
      holdout_current_model_accuracy: 0.9333333333333333,
      reference_accuracy: 0.96,
      reference_current_model_accuracy: 0.9533333333333334,
      duration_ms: 5,
    });
    expect(Object.fromEntries(run.tags.map((t) => [t.key, t.value]))).toEqual({
      platform_run_id: '5c37d62e-c6ab-80d3-9220-257ff0307398',
      job_id: PROMOTED.job_id,
      model: 'iris',
      code_version: 'dev',
      dataset_sha256: '6ef2e4324b70439345b110431683cc08abd4abc93b3d6fb6bcfd78fbd5d7fcc1',
      dataset_rows: '150',
      reference_dataset: 'iris',
      reference_rows: '150',
      gate_outcome: 'promoted',
      gate_reason: 'candidate accuracy 0.9556 meets the minimum 0.8000',
      registry_version: '2',
      model_checksum: '4ace0d6ed1a9eaa8c1daf4a4d811fb34781232e7a2e8f88287ca7d766290edcc',
      'mlflow.note.content':
        "Retrain job `e08c220e-1f96-45bf-a520-b90cf01b20a5` (manual), recorded by the iris platform's trainer.\n\n" +
        '**promoted** as registry version 2: candidate accuracy 0.9556 meets the minimum 0.8000',
    });
  });

  it("tags a named model's run with its model and says whose version it is", () => {
    const run = mirroredRun({ ...PROMOTED, model_name: 'wine' });
    const tags = Object.fromEntries(run.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ model: 'wine', registry_version: '2' });
    expect(tags['mlflow.note.content']).toContain('**promoted** as registry version 2 of model wine:');
  });

  it('logs no params or metrics while the run is running: MLflow would refuse the final ones as changed params', () => {
    const running = mirroredRun({
      ...PROMOTED,
      status: 'running',
      metrics: null,
      finished_at: null,
      duration_ms: null,
      model_version: null,
      outcome_reason: null,
    });
    expect(running).toMatchObject({ status: 'RUNNING', endTime: null, params: [], metrics: [] });
    expect(running.tags.map((t) => t.key)).not.toContain('gate_outcome');
  });

  it('maps a failed run to FAILED with its reason and no model', () => {
    const failed = mirroredRun({
      ...PROMOTED,
      status: 'failed',
      params: { ...PROMOTED.params, dataset: 'csv' },
      dataset: null,
      metrics: null,
      current_model_accuracy_on_holdout: null,
      reference: null,
      model_version: null,
      artifact_checksum: null,
      outcome_reason: 'dataset path must name a file inside the data directory (DATA_DIR)',
    });
    expect(failed.status).toBe('FAILED');
    expect(failed.metrics).toEqual([{ key: 'duration_ms', value: 5, timestamp: FINISHED_AT, step: 0 }]);
    const tags = Object.fromEntries(failed.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ gate_outcome: 'failed', gate_reason: 'dataset path must name a file inside the data directory (DATA_DIR)' });
    expect(tags).not.toHaveProperty('registry_version');
  });

  it("logs whatever params the run records, flattened, the run's own algorithm first", () => {
    const params = {
      algorithm: 'logistic_regression',
      C: 0.5,
      max_iter: 200,
      tol: 1e-4,
      test_size: 0.2,
      random_state: 1,
      dataset: 'csv:x.csv',
      reason: 'manual',
      extra: { nested: [1, 2] },
    };
    const run = mirroredRun({ ...PROMOTED, params } as unknown as TrainingRun);
    expect(run.params).toEqual([
      { key: 'algorithm', value: 'logistic_regression' },
      { key: 'C', value: '0.5' },
      { key: 'max_iter', value: '200' },
      { key: 'tol', value: '0.0001' },
      { key: 'test_size', value: '0.2' },
      { key: 'random_state', value: '1' },
      { key: 'dataset', value: 'csv:x.csv' },
      { key: 'reason', value: 'manual' },
      { key: 'extra.nested', value: '[1,2]' },
    ]);
  });

  it('names per-class metrics with characters MLflow accepts, whatever the class is called', () => {
    const metrics = { ...PROMOTED.metrics!, per_class: { 'Iris "setosa"!': { precision: 1, recall: 1, f1: 1, support: 3 } } };
    const keys = mirroredRun({ ...PROMOTED, metrics }).metrics.map((m) => m.key);
    expect(keys).toContain('holdout_precision_Iris _setosa__');
  });

  it('changes its digest with anything written, and only then', () => {
    expect(mirroredRun(PROMOTED).digest).toBe(mirroredRun(structuredClone(PROMOTED)).digest);
    expect(mirroredRun({ ...PROMOTED, outcome_reason: 'other' }).digest).not.toBe(mirroredRun(PROMOTED).digest);
  });
});
