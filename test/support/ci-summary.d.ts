/** Types of ci-summary.js, a plain script so that .ci/run can run it with node alone. */
export interface RunCounts {
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
  suites_failed_to_run: number;
  /** False while the run is in progress (written after each test file), true once jest finished it. */
  complete: boolean;
}

/** What a check run after the tests (the compose smoke) writes: one count per check. */
export interface StepCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export function summarize(run: {
  counts: RunCounts | null;
  status: number;
  timedOutMinutes?: number;
  steps?: Array<{ name: string; counts: StepCounts | null; status: number }>;
}): { reasons: string[]; others: string; line: string; exitCode: number };
