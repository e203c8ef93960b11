import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('the final line of .ci/run with the fault suite after npm test', () => {
  const faults = (over: object = {}) => ({ counts: { passed: 9, failed: 0 }, status: 0, ...over });

  it('counts every scenario beside the tests', () => {
    expect(summarize({ counts: counts(), status: 0, faults: faults() })).toEqual({
      reasons: [],
      others: '0 skipped, 0 todo; npm test 120 passed, 0 failed; test:faults 9 passed, 0 failed',
      line: '129 passed, 0 failed',
      exitCode: 0,
    });
  });

  it('fails CI on a failed scenario even when every test passed', () => {
    expect(summarize({ counts: counts(), status: 0, faults: faults({ counts: { passed: 7, failed: 2 }, status: 1 }) })).toEqual({
      reasons: [],
      others: '0 skipped, 0 todo; npm test 120 passed, 0 failed; test:faults 7 passed, 2 failed',
      line: '127 passed, 2 failed',
      exitCode: 1,
    });
  });

  it('keeps both parts’ failures and the first non-zero status', () => {
    const s = summarize({ counts: counts({ passed: 118, failed: 2 }), status: 1, faults: faults({ counts: { passed: 8, failed: 1 }, status: 1 }) });
    expect([s.line, s.exitCode]).toEqual(['126 passed, 3 failed', 1]);
  });

  it('counts a fault suite that ended without results (it could not start its stack, or crashed) as one failure', () => {
    expect(summarize({ counts: counts(), status: 0, faults: faults({ counts: null, status: 1 }) })).toEqual({
      reasons: ['no fault suite results: npm run test:faults failed before its scenarios ended (exit status 1)'],
      others: '0 skipped, 0 todo; npm test 120 passed, 0 failed; test:faults 0 passed, 1 failed',
      line: '120 passed, 1 failed',
      exitCode: 1,
    });
  });

  it('counts a fault suite killed at its own time limit as one failure, naming the limit', () => {
    expect(summarize({ counts: counts(), status: 0, faults: faults({ counts: null, status: 124, timedOutMinutes: 15 }) })).toEqual({
      reasons: ['the fault suite exceeded its 15-minute limit (CI_FAULTS_TIMEOUT_MINUTES) and was killed; its scenarios are not counted'],
      others: '0 skipped, 0 todo; npm test 120 passed, 0 failed; test:faults 0 passed, 1 failed',
      line: '120 passed, 1 failed',
      exitCode: 124,
    });
  });

  it('does not trust a non-zero exit with no failed scenario, nor a zero exit with failed ones', () => {
    expect(summarize({ counts: counts(), status: 0, faults: faults({ status: 1 }) })).toMatchObject({
      reasons: ['the fault suite ended with exit status 1 although no scenario failed (see above)'],
      line: '129 passed, 1 failed',
      exitCode: 1,
    });
    expect(summarize({ counts: counts(), status: 0, faults: faults({ counts: { passed: 8, failed: 1 } }) })).toMatchObject({
      reasons: ['the fault suite exited with status 0 but reported 1 failed scenario(s)'],
      line: '128 passed, 1 failed',
      exitCode: 1,
    });
  });
});

describe('ci-summary.js as .ci/run calls it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-summary-'));
  const script = join(__dirname, 'ci-summary.js');
  const write = (name: string, value: object) => {
    writeFileSync(join(dir, name), JSON.stringify(value));
    return join(dir, name);
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads both results files and exits with the failing status', () => {
    const jest = write('results.json', counts());
    const faultsFile = write('faults.json', { passed: 8, failed: 1 });
    const run = spawnSync(process.execPath, [script, jest, '0', '-', faultsFile, '1', '-'], { encoding: 'utf8' });
    expect(run.stdout).toBe('[ci] 0 skipped, 0 todo; npm test 120 passed, 0 failed; test:faults 8 passed, 1 failed\n128 passed, 1 failed\n');
    expect(run.status).toBe(1);
  });

  it('reads a missing faults file as no results and a timed-out limit from its argument', () => {
    const run = spawnSync(process.execPath, [script, write('results.json', counts()), '0', '-', join(dir, 'absent.json'), '124', '15'], { encoding: 'utf8' });
    expect(run.stdout.trim().split('\n').at(-1)).toBe('120 passed, 1 failed');
    expect(run.stdout).toMatch(/^\[ci\] the fault suite exceeded its 15-minute limit/);
    expect(run.status).toBe(124);
  });

  it('keeps its old form without the fault suite', () => {
    const run = spawnSync(process.execPath, [script, write('results.json', counts()), '0'], { encoding: 'utf8' });
    expect(run.stdout).toBe('[ci] 0 skipped, 0 todo\n120 passed, 0 failed\n');
    expect(run.status).toBe(0);
  });
});
