import type { TrainingRun } from '@app/contracts';
import { TrainingRuns } from './training-runs';

const run = (status: TrainingRun['status'], started = '2026-01-01T00:00:00.000Z', job = 'job-1') =>
  ({ job_id: job, status, started_at: started }) as TrainingRun;

describe('TrainingRuns', () => {
  it('moves a job forward through its statuses', () => {
    const runs = new TrainingRuns();
    runs.apply(run('accepted'));
    runs.apply(run('running'));
    runs.apply(run('promoted'));
    expect(runs.get('job-1')?.status).toBe('promoted');
  });

  it('ignores a late record that would move a finished job backwards', () => {
    const runs = new TrainingRuns();
    runs.apply(run('failed'));
    runs.apply(run('running'));
    expect(runs.get('job-1')?.status).toBe('failed');
  });

  it('lists the newest job first', () => {
    const runs = new TrainingRuns();
    runs.apply(run('promoted', '2026-01-01T00:00:00.000Z', 'old'));
    runs.apply(run('running', '2026-01-02T00:00:00.000Z', 'new'));
    expect(runs.list().map((r) => r.job_id)).toEqual(['new', 'old']);
  });
});
