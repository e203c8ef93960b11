// The last line of .ci/run: "N passed, N failed" over `npm test` (jest's tests) and `npm run test:faults`
// (its scenarios), with skipped and todo on the line above, from the counts each wrote and each one's
// exit status. A non-zero status always shows at least one failure, and every adjustment is
// explained on a line of its own just above.
//
//   node test/support/ci-summary.js <jest results.json> <exit status> <timed out after minutes, or ->
//                                   [<faults results.json> <exit status> <timed out after minutes, or ->]
//                                   [--step <name> <counts.json> <exit status>]...
// A step is a check run after the tests (the compose smoke) that writes {"passed","failed","skipped"}:
// its counts are added, and a step that wrote none, or exited non-zero with no failure, counts one.
// Prints the explanation lines and the summary line; exits with the run's final status.
const { existsSync, readFileSync } = require('node:fs');

const exitText = (status) => (status > 128 ? `exit status ${status}: signal ${status - 128}` : `exit status ${status}`);

/** jest's part: see ci-summary.d.ts for the shapes. */
function jestPart({ counts, status, timedOutMinutes }) {
  const reasons = [];
  const c = counts ?? { passed: 0, failed: 0, skipped: 0, todo: 0, suites_failed_to_run: 0, complete: false };
  let failed = c.failed + c.suites_failed_to_run;
  if (c.suites_failed_to_run > 0) reasons.push(`${c.suites_failed_to_run} test file(s) failed to run (each counted as one failure)`);
  if (timedOutMinutes !== undefined) {
    failed += 1;
    reasons.push(`the run exceeded its ${timedOutMinutes}-minute limit (CI_TIMEOUT_MINUTES) and was killed; counts cover the test files that finished`);
  } else if (counts === null) {
    failed = Math.max(failed, 1);
    reasons.push(`no test results: npm ci, the pretest checks (typecheck, lint) or jest's start failed (${exitText(status)})`);
  } else if (status !== 0 && failed === 0) {
    failed = 1;
    reasons.push(
      c.complete
        ? `jest ended with ${exitText(status)} although no test failed: its global teardown or a run-level error failed (see above)`
        : `jest stopped before the end of the run (${exitText(status)}; see above)`,
    );
  } else if (status === 0 && failed > 0) {
    reasons.push(`jest exited with status 0 but reported ${failed} failure(s)`);
  }
  return { passed: c.passed, failed, reasons, skipped: c.skipped, todo: c.todo };
}

/** The fault suite's part: its counts are written only when it ends, so a killed suite has none. */
function faultsPart({ counts, status, timedOutMinutes }) {
  const reasons = [];
  let passed = counts?.passed ?? 0;
  let failed = counts?.failed ?? 0;
  if (timedOutMinutes !== undefined) {
    [passed, failed] = [0, 1];
    reasons.push(`the fault suite exceeded its ${timedOutMinutes}-minute limit (CI_FAULTS_TIMEOUT_MINUTES) and was killed; its scenarios are not counted`);
  } else if (counts === null) {
    failed = 1;
    reasons.push(`no fault suite results: npm run test:faults failed before its scenarios ended (${exitText(status)})`);
  } else if (status !== 0 && failed === 0) {
    failed = 1;
    reasons.push(`the fault suite ended with ${exitText(status)} although no scenario failed (see above)`);
  } else if (status === 0 && failed > 0) {
    reasons.push(`the fault suite exited with status 0 but reported ${failed} failed scenario(s)`);
  }
  return { passed, failed, reasons };
}

/** A step after the tests: its own counts, one failure when it wrote none or exited non-zero without one. */
function stepPart({ name, counts, status }) {
  if (counts === null) {
    return { passed: 0, failed: 1, skipped: 0, reasons: [`${name}: no counts written (${exitText(status)}); counted as one failure`] };
  }
  const failed = status !== 0 && counts.failed === 0 ? 1 : counts.failed;
  const note = failed !== counts.failed ? ` (${exitText(status)} with no failure counted: one added)` : '';
  return {
    passed: counts.passed,
    failed,
    skipped: counts.skipped,
    reasons: [`${name}: ${counts.passed} passed, ${failed} failed, ${counts.skipped} skipped${note}`],
  };
}

/** See ci-summary.d.ts for the shapes. */
function summarize({ counts, status, timedOutMinutes, faults, steps = [] }) {
  const jest = jestPart({ counts, status, timedOutMinutes });
  const parts = [jest];
  let parted = '';
  if (faults !== undefined) {
    const f = faultsPart(faults);
    parts.push(f);
    parted = `npm test ${jest.passed} passed, ${jest.failed} failed; test:faults ${f.passed} passed, ${f.failed} failed`;
  }
  const stepParts = steps.map(stepPart);
  parts.push(...stepParts);
  const skipped = jest.skipped + stepParts.reduce((n, p) => n + p.skipped, 0);
  const others = `${skipped} skipped, ${jest.todo} todo`;
  const passed = parts.reduce((n, p) => n + p.passed, 0);
  const failed = parts.reduce((n, p) => n + p.failed, 0);
  const statuses = [status, ...(faults !== undefined ? [faults.status] : [])];
  const exitCode = statuses.find((s) => s !== 0) ?? (failed > 0 ? 1 : 0);
  return {
    reasons: parts.flatMap((p) => p.reasons),
    others: parted ? `${others}; ${parted}` : others,
    line: `${passed} passed, ${failed} failed`,
    exitCode,
  };
}

function readCounts(file) {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const minutes = (arg) => (arg && arg !== '-' ? Number(arg) : undefined);

if (require.main === module) {
  const args = process.argv.slice(2);
  const steps = [];
  for (let i = args.indexOf('--step'); i >= 0; i = args.indexOf('--step')) {
    const [, name, stepFile, stepStatus] = args.splice(i, 4);
    steps.push({ name, counts: readCounts(stepFile), status: Number(stepStatus) });
  }
  const [file, status, timedOut, faultsFile, faultsStatus, faultsTimedOut] = args;
  const faults =
    faultsFile === undefined ? undefined : { counts: readCounts(faultsFile), status: Number(faultsStatus), timedOutMinutes: minutes(faultsTimedOut) };
  const { reasons, others, line, exitCode } = summarize({
    counts: readCounts(file),
    status: Number(status),
    timedOutMinutes: minutes(timedOut),
    faults,
    steps,
  });
  for (const reason of reasons) console.log(`[ci] ${reason}`);
  console.log(`[ci] ${others}`);
  console.log(line);
  process.exit(exitCode);
}

module.exports = { summarize };
