import type { RunStatus, TrainingRun } from '@app/contracts';

const ORDER: Record<RunStatus, number> = { accepted: 0, running: 1, promoted: 2, rejected: 2, failed: 2 };

/** Whether a job's record with status `next` may replace one with status `known`: a replayed older record never moves a finished job backwards. */
export const runStatusSupersedes = (known: RunStatus | undefined, next: RunStatus): boolean => known === undefined || ORDER[known] <= ORDER[next];

/** Jobs remembered: a run record is a few kilobytes, and the compacted topic keeps every job ever run. */
const RUNS_KEPT = 10_000;

/** Retrain jobs as a fold over TrainingRunRecorded events (compacted by job id); the newest RUNS_KEPT. */
export class TrainingRuns {
  private readonly runs = new Map<string, TrainingRun>();

  /** A replayed older record never overwrites a later status of the same job. */
  apply(run: TrainingRun): void {
    if (!runStatusSupersedes(this.runs.get(run.job_id)?.status, run.status)) return;
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
