import type { TrainingRun } from '@app/contracts';

const ORDER: Record<TrainingRun['status'], number> = { accepted: 0, running: 1, promoted: 2, rejected: 2, failed: 2 };

/** Jobs remembered: a run record is a few kilobytes, and the compacted topic keeps every job ever run. */
const RUNS_KEPT = 10_000;

/** Retrain jobs as a fold over TrainingRunRecorded events (compacted by job id); the newest RUNS_KEPT. */
export class TrainingRuns {
  private readonly runs = new Map<string, TrainingRun>();

  /** A replayed older record never overwrites a later status of the same job. */
  apply(run: TrainingRun): void {
    const known = this.runs.get(run.job_id);
    if (known && ORDER[known.status] > ORDER[run.status]) return;
    this.runs.set(run.job_id, run);
    if (this.runs.size > RUNS_KEPT) this.runs.delete(this.runs.keys().next().value!);
  }

  get(jobId: string): TrainingRun | undefined {
    return this.runs.get(jobId);
  }

  list(): TrainingRun[] {
    return [...this.runs.values()].sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at));
  }
}
