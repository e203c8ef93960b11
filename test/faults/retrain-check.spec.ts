import { retrainProblems, type ModelsView } from './retrain-check';

const registry = (over: Partial<ModelsView> = {}): ModelsView => ({
  current_version: 8,
  models: [
    { version: 7, status: 'archived', job_id: 'earlier' },
    { version: 8, status: 'current', job_id: 'job-1' },
  ],
  ...over,
});

describe('retrainProblems', () => {
  it('passes a job that ran to a promotion after the kill, its version the one current', () => {
    expect(retrainProblems('job-1', { status: 'promoted', model_version: 8 }, registry(), [7], 60_000)).toEqual([]);
  });

  it('passes a job the gate rejected: it still ran', () => {
    const models = registry({
      current_version: 7,
      models: [
        { version: 7, status: 'current', job_id: 'earlier' },
        { version: 8, status: 'rejected', job_id: 'job-1' },
      ],
    });
    expect(retrainProblems('job-1', { status: 'rejected', model_version: 8 }, models, [7], 60_000)).toEqual([]);
  });

  it('fails a job that failed: it did its work in milliseconds, so the kill interrupted nothing', () => {
    const models = registry({ current_version: 7, models: [{ version: 7, status: 'current', job_id: 'earlier' }] });
    expect(
      retrainProblems(
        'job-1',
        { status: 'failed', model_version: null, outcome_reason: 'dataset path must name a file inside the data directory (DATA_DIR)' },
        models,
        [7],
        60_000,
      ),
    ).toEqual(['retrain job job-1 failed (dataset path must name a file inside the data directory (DATA_DIR)): the kill did not interrupt a training run']);
  });

  it('fails a job still running, two current versions and a version another job registered', () => {
    const models = registry({
      models: [
        { version: 7, status: 'current', job_id: 'earlier' },
        { version: 8, status: 'current', job_id: 'job-1' },
        { version: 9, status: 'archived', job_id: 'job-2' },
      ],
    });
    expect(retrainProblems('job-1', { status: 'running', model_version: null }, models, [7], 60_000)).toEqual([
      "retrain job job-1 still 'running' 60 s after the trainer was killed",
      'GET /models lists 2 current versions (7, 8)',
      'version 9 (archived) was registered by job job-2, not by the retrain',
    ]);
  });
});
