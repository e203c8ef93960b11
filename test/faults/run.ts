import { appendFileSync, cpSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, suiteConfig } from './config';
import { alive, listening, readPid, runScript } from './stack';
import { formatReport, type ScenarioResult } from './report';
import { runScenario } from './run-scenario';
import { SCENARIOS } from './scenarios';

const OUT_DIR = join(ROOT, '.infra', 'faults');
/** The counts .ci/run adds to its final line (test/support/ci-summary.js); absent until the suite ends. */
const RESULTS_FILE = join(OUT_DIR, 'results.json');

function writeResults(passed: number, failed: number): void {
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(`${RESULTS_FILE}.tmp`, JSON.stringify({ passed, failed }) + '\n');
  renameSync(`${RESULTS_FILE}.tmp`, RESULTS_FILE);
}

/**
 * npm run test:faults [-- <scenario ids, e.g. a d>]: starts the stack (scripts/stack.sh with
 * the suite's ports), runs each fault under load, stops the stack, prints the table and
 * `faults: N passed, N failed` (also written to .infra/faults/results.json); exits 1 when any
 * scenario failed. FAULTS_KEEP_STACK=1 leaves the stack running afterwards. Script output,
 * per-request records and the services' logs: .infra/faults/.
 */
async function main(): Promise<number> {
  const config = suiteConfig();
  const outDir = OUT_DIR;
  mkdirSync(outDir, { recursive: true });
  rmSync(RESULTS_FILE, { force: true });
  const logFile = join(outDir, 'suite.log');
  writeFileSync(logFile, '');
  rmSync(join(outDir, 'stack-logs'), { recursive: true, force: true });
  const progress = (line: string) => {
    process.stdout.write(`[faults] ${line}\n`);
    appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
  };
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(' ')}`);
  const scenarios = SCENARIOS.filter((s) => wanted.length === 0 || wanted.includes(s.id));

  for (const [pidFile, port, what] of [
    [config.kafkaPidFile, config.env.KAFKA_PORT, 'broker'],
    [join(ROOT, '.infra', 'elasticsearch', 'es.pid'), config.env.ES_PORT, 'Elasticsearch'],
  ] as const) {
    // The infra scripts keep one server per checkout: one started on other ports would be taken for the suite's own.
    if (alive(readPid(pidFile)) && !(await listening(Number(port))))
      throw new Error(`this checkout's ${what} runs on another port than ${port}: stop it first (npm run infra:down)`);
  }
  const started = Date.now();
  const results: ScenarioResult[] = [];
  progress(`starting the stack: gateway ${config.gatewayUrl}, Kafka ${config.kafkaBroker}, Elasticsearch ${config.elasticsearchUrl}`);
  try {
    appendFileSync(logFile, await runScript(config, 'scripts/stack.sh', 'up'));
    if (!alive(readPid(config.kafkaPidFile)))
      throw new Error(`the broker on ${config.kafkaBroker} was not started by scripts/infra/kafka.sh; the suite only faults its own`);
    for (const scenario of scenarios) {
      progress(`${scenario.id}: ${scenario.title}`);
      const r = await runScenario(config, scenario, { clients: 4, pauseMs: 20, warmupMs: 3_000, observeMs: 20_000, outDir });
      progress(
        `${scenario.id}: ${r.passed ? 'pass' : 'FAIL'} in ${r.seconds.toFixed(0)} s (${r.requests} requests, ${r.ok} 2xx, recovery ${r.recoverySeconds ?? 'never'} s)`,
      );
      results.push(r);
    }
  } finally {
    if (process.env.FAULTS_KEEP_STACK !== '1') appendFileSync(logFile, await runScript(config, 'scripts/stack.sh', 'down').catch((err: Error) => err.message));
    // The next stack:up starts the service logs afresh: keep this run's.
    cpSync(config.stackDir, join(outDir, 'stack-logs'), { recursive: true, filter: (src) => !src.endsWith('.pid') });
  }
  process.stdout.write(`\nsuite took ${((Date.now() - started) / 1000).toFixed(0)} s (stack start and stop included)\n`);
  process.stdout.write(formatReport(results) + '\n');
  const passed = results.filter((r) => r.passed).length;
  writeResults(passed, results.length - passed);
  return passed === results.length && results.length > 0 ? 0 : 1;
}

// A timeout (.ci/run) or Ctrl-C ends the suite through exit, so a frozen broker or worker is resumed (see whileFrozen).
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(signal === 'SIGTERM' ? 143 : 130));

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stdout.write(`${err.stack ?? err.message}\nfaults: 0 passed, 1 failed\n`);
    writeResults(0, 1);
    process.exit(1);
  },
);
