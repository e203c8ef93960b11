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

/** What `npm run test:faults` writes to .infra/faults/results.json when it ends. */
export interface FaultCounts {
  passed: number;
  failed: number;
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
  /** The fault suite's run after `npm test`; absent when it did not run. */
  faults?: { counts: FaultCounts | null; status: number; timedOutMinutes?: number };
  /** Checks run after the tests (the compose smoke), in order. */
  steps?: Array<{ name: string; counts: StepCounts | null; status: number }>;
}): { reasons: string[]; others: string; line: string; exitCode: number };
