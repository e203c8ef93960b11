// Writes the run's test counts to .infra/test/results.json for .ci/run: after every test file,
// so a run stopped by the overall timeout still shows what finished, and once more at the end.
// It prints nothing: reporters finish before jest's global teardown, so only .ci/run, which
// also has jest's exit status, can print an honest final line (test/support/ci-summary.js).
const { mkdirSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const DIR = join(__dirname, '..', '..', '.infra', 'test');

function write(results, complete) {
  mkdirSync(DIR, { recursive: true });
  const counts = {
    passed: results.numPassedTests,
    failed: results.numFailedTests,
    skipped: results.numPendingTests,
    todo: results.numTodoTests,
    suites_failed_to_run: results.numRuntimeErrorTestSuites,
    complete,
  };
  // Written whole, then renamed: a run killed mid-write must not leave half a file.
  writeFileSync(join(DIR, 'results.json.tmp'), JSON.stringify(counts) + '\n');
  renameSync(join(DIR, 'results.json.tmp'), join(DIR, 'results.json'));
}

class SummaryReporter {
  onTestResult(_test, _result, aggregated) {
    write(aggregated, false);
  }

  onRunComplete(_contexts, results) {
    write(results, true);
  }
}
module.exports = SummaryReporter;
