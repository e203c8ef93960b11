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

  it('adds the counts of a step run after the tests, naming them on a line of their own', () => {
    const steps = [{ name: 'compose smoke', counts: { passed: 6, failed: 0, skipped: 1 }, status: 0 }];
    expect(summarize({ counts: counts({ skipped: 2 }), status: 0, steps })).toEqual({
      reasons: ['compose smoke: 6 passed, 0 failed, 1 skipped'],
      others: '3 skipped, 0 todo',
      line: '126 passed, 0 failed',
      exitCode: 0,
    });
  });

  it('shows a skipped step as skipped, never as passed', () => {
    const steps = [{ name: 'compose smoke', counts: { passed: 0, failed: 0, skipped: 1 }, status: 0 }];
    expect(summarize({ counts: counts(), status: 0, steps })).toMatchObject({ others: '1 skipped, 0 todo', line: '120 passed, 0 failed', exitCode: 0 });
  });

  it('fails the run on a failed step even when every test passed', () => {
    const steps = [{ name: 'compose smoke', counts: { passed: 2, failed: 1, skipped: 0 }, status: 1 }];
    expect(summarize({ counts: counts(), status: 0, steps })).toMatchObject({ line: '122 passed, 1 failed', exitCode: 1 });
  });

  it('counts one failure for a step that wrote no counts, or exited non-zero without counting a failure', () => {
    const steps = [
      { name: 'compose smoke', counts: null, status: 124 },
      { name: 'other', counts: { passed: 3, failed: 0, skipped: 0 }, status: 2 },
    ];
    expect(summarize({ counts: counts(), status: 0, steps })).toEqual({
      reasons: [
        'compose smoke: no counts written (exit status 124); counted as one failure',
        'other: 3 passed, 1 failed, 0 skipped (exit status 2 with no failure counted: one added)',
      ],
      others: '0 skipped, 0 todo',
      line: '123 passed, 2 failed',
      exitCode: 1,
    });
  });

  it('never exits 0 when a failure was reported', () => {
    expect(summarize({ counts: counts({ failed: 1 }), status: 0 }).exitCode).toBe(1);
  });
});
