import { retrainParamsSchema, retrainRequestedSchema } from './training';

const row = (species: string, x: number) => ({ sepal_length: 5 + x, sepal_width: 3, petal_length: 1.5 + x, petal_width: 0.2 + x, species });
const sixRows = ['setosa', 'setosa', 'versicolor', 'versicolor', 'virginica', 'virginica'].map((s, i) => row(s, i / 10));
const messagesOf = (value: unknown) => retrainParamsSchema.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('retrainParamsSchema', () => {
  it('accepts an empty object: every parameter has a default elsewhere', () => {
    expect(retrainParamsSchema.safeParse({})).toEqual({ success: true, data: {} });
  });

  it('accepts the inline dataset form with six labelled rows', () => {
    const params = { test_size: 0.5, random_state: 7, var_smoothing: 1e-9, dataset: { source: 'inline', rows: sixRows }, reason: 'manual' };
    expect(retrainParamsSchema.safeParse(params)).toEqual({ success: true, data: params });
  });

  it('accepts the iris and csv dataset sources', () => {
    expect(retrainParamsSchema.safeParse({ dataset: { source: 'iris' } }).success).toBe(true);
    expect(retrainParamsSchema.safeParse({ dataset: { source: 'csv', path: '/data/iris.csv' } }).success).toBe(true);
  });

  it('rejects an inline dataset with fewer than six rows', () => {
    expect(retrainParamsSchema.safeParse({ dataset: { source: 'inline', rows: sixRows.slice(0, 5) } }).success).toBe(false);
  });

  it('rejects an inline row with an unknown species, naming its path', () => {
    const rows = [...sixRows.slice(0, 5), row('rose', 0)];
    expect(messagesOf({ dataset: { source: 'inline', rows } })?.[0]).toMatch(/^dataset\.rows\.5\.species: /);
  });

  it('rejects a test_size outside [0.05, 0.5] with the bound it broke (1e-300 left a 1-row holdout)', () => {
    expect(messagesOf({ test_size: 1e-300 })).toEqual(['test_size: must be at least 0.05']);
    expect(messagesOf({ test_size: 0 })).toEqual(['test_size: must be at least 0.05']);
    expect(messagesOf({ test_size: 0.51 })).toEqual(['test_size: must be at most 0.5']);
    expect(messagesOf({ test_size: 1 })).toEqual(['test_size: must be at most 0.5']);
  });

  it('rejects a fractional or negative random_state', () => {
    expect(retrainParamsSchema.safeParse({ random_state: 1.5 }).success).toBe(false);
    expect(retrainParamsSchema.safeParse({ random_state: -1 }).success).toBe(false);
  });

  it('rejects an unknown reason and an unknown key', () => {
    expect(retrainParamsSchema.safeParse({ reason: 'whim' }).success).toBe(false);
    expect(retrainParamsSchema.safeParse({ epochs: 3 }).success).toBe(false);
  });
});

describe('retrainParamsSchema: algorithm and hyperparameters', () => {
  it('accepts either algorithm with its own hyperparameters in scikit-learn names', () => {
    expect(retrainParamsSchema.safeParse({ algorithm: 'logistic_regression', params: { C: 0.5, max_iter: 200 } }).success).toBe(true);
    expect(retrainParamsSchema.safeParse({ algorithm: 'gaussian_nb', params: { var_smoothing: 1e-8 } }).success).toBe(true);
    expect(retrainParamsSchema.safeParse({ var_smoothing: 1e-8 }).success).toBe(true);
  });

  it("refuses hyperparameters the algorithm does not take or out of its range, with the algorithm's own message", () => {
    expect(messagesOf({ algorithm: 'logistic_regression', params: { var_smoothing: 1e-9 } })).toEqual([
      'params: logistic_regression params: unknown "var_smoothing"; known: C, max_iter, tol',
    ]);
    expect(messagesOf({ algorithm: 'logistic_regression', params: { C: -1 } })?.[0]).toMatch(/^params: .*C/);
    expect(messagesOf({ algorithm: 'logistic_regression', var_smoothing: 1e-9 })).toEqual([
      'var_smoothing: is a gaussian_nb parameter; logistic_regression takes its own in params',
    ]);
    expect(messagesOf({ var_smoothing: 1e-9, params: { var_smoothing: 1e-8 } })).toEqual(['var_smoothing: give it in params or on its own, not both']);
    expect(messagesOf({ algorithm: 'svm' })?.[0]).toMatch(/^algorithm: /);
  });

  it('judges a Kafka retrain event the same way', () => {
    expect(retrainRequestedSchema.safeParse({ job_id: 'j', algorithm: 'logistic_regression', params: { C: 0 } }).success).toBe(false);
    expect(retrainRequestedSchema.safeParse({ job_id: 'j', algorithm: 'logistic_regression', params: { C: 2 } }).success).toBe(true);
  });
});

describe('retrainRequestedSchema', () => {
  it('requires a job_id on top of the retrain parameters', () => {
    expect(retrainRequestedSchema.safeParse({ job_id: 'job-1' }).success).toBe(true);
    expect(retrainRequestedSchema.safeParse({}).error?.issues.map((i) => i.path.join('.'))).toEqual(['job_id']);
  });
});
