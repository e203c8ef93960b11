// The last line of .ci/run: "N passed, N failed" (skipped and todo on the line above), from the counts the summary
// reporter wrote and jest's exit status. A non-zero status always shows at least one failure, and
// every adjustment is explained on a line of its own just above.
//
//   node test/support/ci-summary.js <results.json> <exit status> [timed-out-after-minutes]
//     [--step <name> <counts.json> <exit status>]...
// A step is a check run after the tests (the compose smoke) that writes {"passed","failed","skipped"}:
// its counts are added, and a step that wrote none, or exited non-zero with no failure, counts one.
// Prints the explanation lines and the summary line; exits with the run's final status.
const { existsSync, readFileSync } = require('node:fs');

/** See ci-summary.d.ts for the shapes. */
function summarize({ counts, status, timedOutMinutes, steps = [] }) {
  const reasons = [];
  const exit = status > 128 ? `exit status ${status}: signal ${status - 128}` : `exit status ${status}`;
  const c = counts ?? { passed: 0, failed: 0, skipped: 0, todo: 0, suites_failed_to_run: 0, complete: false };
  let failed = c.failed + c.suites_failed_to_run;
  if (c.suites_failed_to_run > 0) reasons.push(`${c.suites_failed_to_run} test file(s) failed to run (each counted as one failure)`);
  if (timedOutMinutes !== undefined) {
    failed += 1;
    reasons.push(`the run exceeded its ${timedOutMinutes}-minute limit (CI_TIMEOUT_MINUTES) and was killed; counts cover the test files that finished`);
  } else if (counts === null) {
    failed = Math.max(failed, 1);
    reasons.push(`no test results: npm ci, the pretest checks (typecheck, lint) or jest's start failed (${exit})`);
  } else if (status !== 0 && failed === 0) {
    failed = 1;
    reasons.push(
      c.complete
        ? `jest ended with ${exit} although no test failed: its global teardown or a run-level error failed (see above)`
        : `jest stopped before the end of the run (${exit}; see above)`,
    );
  } else if (status === 0 && failed > 0) {
    reasons.push(`jest exited with status 0 but reported ${failed} failure(s)`);
  }
  let { passed, skipped } = c;
  for (const step of steps) {
    const s = step.counts;
    if (s === null) {
      failed += 1;
      reasons.push(`${step.name}: no counts written (exit status ${step.status}); counted as one failure`);
      continue;
    }
    const stepFailed = step.status !== 0 && s.failed === 0 ? 1 : s.failed;
    passed += s.passed;
    failed += stepFailed;
    skipped += s.skipped;
    reasons.push(
      `${step.name}: ${s.passed} passed, ${stepFailed} failed, ${s.skipped} skipped` +
        (stepFailed !== s.failed ? ` (exit status ${step.status} with no failure counted: one added)` : ''),
    );
  }
  const exitCode = status !== 0 ? status : failed > 0 ? 1 : 0;
  return { reasons, others: `${skipped} skipped, ${c.todo} todo`, line: `${passed} passed, ${failed} failed`, exitCode };
}

function readCounts(file) {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const steps = [];
  for (let i = args.indexOf('--step'); i >= 0; i = args.indexOf('--step')) {
    const [, name, stepFile, stepStatus] = args.splice(i, 4);
    steps.push({ name, counts: readCounts(stepFile), status: Number(stepStatus) });
  }
  const [file, status, timedOut] = args;
  const { reasons, others, line, exitCode } = summarize({
    counts: readCounts(file),
    status: Number(status),
    timedOutMinutes: timedOut ? Number(timedOut) : undefined,
    steps,
  });
  for (const reason of reasons) console.log(`[ci] ${reason}`);
  console.log(`[ci] ${others}`);
  console.log(line);
  process.exit(exitCode);
}

module.exports = { summarize };
