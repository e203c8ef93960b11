import { summarize } from './ci-summary';

const counts = (over: object = {}) => ({ passed: 120, failed: 0, skipped: 0, todo: 0, suites_failed_to_run: 0, complete: true, ...over });

describe('the final line of .ci/run', () => {
  it('reports a clean run as it is', () => {
    expect(summarize({ counts: counts({ skipped: 2, todo: 1 }), status: 0 })).toEqual({
      reasons: [],
      others: '2 skipped, 1 todo',
      line: '120 passed, 0 failed',
      exitCode: 0,
    });
  });

  it('counts a failing global teardown (non-zero exit, no failed test) as one failure and says so', () => {
    expect(summarize({ counts: counts(), status: 1 })).toEqual({
      reasons: ['jest ended with exit status 1 although no test failed: its global teardown or a run-level error failed (see above)'],
      others: '0 skipped, 0 todo',
      line: '120 passed, 1 failed',
      exitCode: 1,
    });
  });

  it('keeps the real failure count when tests failed', () => {
    expect(summarize({ counts: counts({ passed: 117, failed: 3 }), status: 1 })).toEqual({
      reasons: [],
      others: '0 skipped, 0 todo',
      line: '117 passed, 3 failed',
      exitCode: 1,
    });
  });

  it('counts a test file that failed to run', () => {
    expect(summarize({ counts: counts({ suites_failed_to_run: 1 }), status: 1 }).line).toBe('120 passed, 1 failed');
  });

  it('adds a failure for a run killed by the overall timeout, keeping the counts of the files that finished', () => {
    expect(summarize({ counts: counts({ passed: 80, complete: false }), status: 124, timedOutMinutes: 50 })).toEqual({
      reasons: ['the run exceeded its 50-minute limit (CI_TIMEOUT_MINUTES) and was killed; counts cover the test files that finished'],
      others: '0 skipped, 0 todo',
      line: '80 passed, 1 failed',
      exitCode: 124,
    });
  });

  it('fails a run that produced no results (install, typecheck or lint failed)', () => {
    expect(summarize({ counts: null, status: 2 })).toEqual({
      reasons: ["no test results: npm ci, the pretest checks (typecheck, lint) or jest's start failed (exit status 2)"],
      others: '0 skipped, 0 todo',
      line: '0 passed, 1 failed',
      exitCode: 2,
    });
  });

  it('names the signal of a run that was interrupted mid-way', () => {
    expect(summarize({ counts: counts({ passed: 5, complete: false }), status: 143 })).toEqual({
      reasons: ['jest stopped before the end of the run (exit status 143: signal 15; see above)'],
      others: '0 skipped, 0 todo',
      line: '5 passed, 1 failed',
      exitCode: 143,
    });
  });

  it('never exits 0 when a failure was reported', () => {
    expect(summarize({ counts: counts({ failed: 1 }), status: 0 }).exitCode).toBe(1);
  });
});
