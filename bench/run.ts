import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../scripts/lib/service-process';
import { referenceAnswers, type Reference } from './answers';
import { startBaseline, ensureVenv } from './baseline';
import { Cleanup } from './cleanup';
import { loadBenchConfig, type BenchConfig } from './config';
import { gitCommit } from './git-commit';
import { clientRequestIdField, countIndexed } from './es-count';
import { MonitorLagReader } from './kafka-lag';
import { closedLoop, openLoop, type LoadOutcome } from './load';
import { OTHER_PROCESSES, ProcessSampler, round } from './proc-sampler';
import { evaluateTargets, renderReport, replaceResultsSection } from './report';
import { compare, exactlyOnce, type BenchResults, type Comparison, type Round } from './results';
import { scoringThroughput } from './scoring';
import { startEmbedded, startInfra, startStack } from './processes';

/**
 * `npm run bench`: the platform next to a seed-equivalent FastAPI service, in one run, on this
 * machine. See bench/README.md for what is measured and how.
 */
const log = (msg: string) => console.log(`[bench] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const describe = (o: LoadOutcome) =>
  `${o.result.rps.toFixed(0)} req/s, p50 ${o.result.p50_ms.toFixed(2)} ms, p99 ${o.result.p99_ms.toFixed(2)} ms, max ${o.result.max_ms.toFixed(1)} ms, ` +
  `errors ${o.result.errors}, non-2xx ${o.result.non_2xx}, wrong answers ${o.result.wrong_answers ?? 'not checked'}${o.result.rate_held === null ? '' : o.result.rate_held ? ', rate held' : ', rate NOT held'}`;

async function bench(cfg: BenchConfig, cleanup: Cleanup): Promise<BenchResults> {
  const runId = randomBytes(3).toString('hex');
  const commit = gitCommit();
  log(`run ${runId} at ${commit}: ${cfg.rounds} round(s) of ${cfg.durationS} s, warm-up ${cfg.warmupS} s, connections ${cfg.connections.join('/')}`);

  const scoring = scoringThroughput();
  log(`scoring micro-benchmark: ${(scoring.rows_per_s_per_core / 1e6).toFixed(2)} M rows/s per core`);

  const [{ infraPids, stack }, [baseline, baseline2w]] = await Promise.all([
    (async () => {
      const infraPids = await startInfra(cfg, cleanup);
      log('Kafka and Elasticsearch ready; starting trainer, workers, monitor, gateway');
      return { infraPids, stack: await startStack(cfg, commit, cleanup) };
    })(),
    // The seed as it ships (one uvicorn worker, one core), and with two workers: the two cores the stack uses.
    ensureVenv(cfg.python).then(async () => [await startBaseline(cfg.portBase + 30, cleanup, 1), await startBaseline(cfg.portBase + 31, cleanup, 2)] as const),
  ]);
  log(`stack ready (gateway ${stack.gateway.url}); baselines ready (1 worker ${baseline.url}, 2 workers ${baseline2w.url})`);

  const lag = new MonitorLagReader(stack.kafkaBrokers);
  await lag.connect();
  cleanup.add('kafka admin', () => lag.close());
  const stackPids: Record<string, number> = { kafka: infraPids.kafka, ...Object.fromEntries(stack.services.map((s) => [s.name, s.pid])) };
  const pids: Record<string, number> = {
    ...stackPids,
    elasticsearch: infraPids.elasticsearch,
    baseline: baseline.pid,
    'baseline (2 workers: supervisor)': baseline2w.pid,
    'load generator': process.pid,
  };
  const services = [...stack.services.map((s) => s.name), 'embedded'];

  const settled = await lag.waitForZero(cfg.drainTimeoutS);
  log(settled === null ? `monitor still lagging after ${cfg.drainTimeoutS} s; going on` : 'monitor caught up');
  log(`monitor consumer groups: ${Object.keys((await lag.read()).groups).join(', ')}`);

  const measure = async (target: string, round: number, load: () => Promise<LoadOutcome>, pidsNow = pids): Promise<{ round: Round; outcome: LoadOutcome }> => {
    const sampler = new ProcessSampler(pidsNow);
    const outcome = await load();
    const processes = sampler.stop();
    log(`  ${target} #${round}: ${describe(outcome)} (other work on the machine: ${processes[OTHER_PROCESSES].cpu_pct_of_core.toFixed(0)}% of a core)`);
    return { round: { ...outcome.result, round, processes }, outcome };
  };

  let esField = 'request_id';
  /** A Kafka-path round, then the monitor's lag at its end and later, then its predictions in Elasticsearch. */
  const measureOurs = async (round: number, prefix: string, load: (prefix: string) => Promise<LoadOutcome>): Promise<Round> => {
    const { round: r, outcome } = await measure('ours', round, () => load(prefix));
    r.lag = await lag.afterLoad(cfg.lagFollowupS, cfg.drainTimeoutS);
    const count = exactlyOnce(await countIndexed(stack.esUrl, esField, prefix, outcome.unanswered), outcome.result.ok_2xx);
    r.elasticsearch = count;
    log(
      `    monitor lag ${r.lag.at_end} at end, ${r.lag.after_followup} after ${cfg.lagFollowupS} s, 0 after ${r.lag.zero_after_s ?? 'never'} s; Elasticsearch: ${count.docs} docs, ${count.distinct_ids} distinct for ${count.ok_2xx} 2xx ` +
        `(${count.indexed_without_2xx} indexed without a 2xx) -> ${count.exactly_once ? 'exactly once' : 'NOT exactly once'}`,
    );
    return r;
  };

  log(`warm-up: ${cfg.warmupS} s at 16 connections for each (the first runs after a start are 2-3x slower)`);
  if (cfg.warmupS > 0) {
    await closedLoop(stack.gateway.url, 16, cfg.warmupS, `bench-${runId}-warmup-`);
    await closedLoop(baseline.url, 16, cfg.warmupS, `bench-${runId}-warmup-`);
    await closedLoop(baseline2w.url, 16, cfg.warmupS, `bench-${runId}-warmup-`);
    await lag.waitForZero(cfg.drainTimeoutS);
  }
  // Each target's answer to every flower, asked alone: the answers under load are checked against them.
  const referenceOf = async (name: string, url: string): Promise<Reference> => {
    const r = await referenceAnswers(url);
    log(`reference answers of ${name}: ${r.answers.length} flowers, ${r.indistinguishable} with an answer another flower shares`);
    return r;
  };
  const [refOurs, refBase, refBase2w] = [
    await referenceOf('ours', stack.gateway.url),
    await referenceOf('the baseline', baseline.url),
    await referenceOf('the two-worker baseline', baseline2w.url),
  ];
  await lag.waitForZero(cfg.drainTimeoutS);
  esField = await clientRequestIdField(stack.esUrl);
  log(`counting predictions in Elasticsearch by ${esField}`);

  const closed: Record<string, Comparison> = {};
  for (const conns of cfg.connections) {
    log(`closed loop, ${conns} connection(s)`);
    const ours: Round[] = [];
    const base: Round[] = [];
    const base2w: Round[] = [];
    for (let i = 1; i <= cfg.rounds; i++) {
      // Who goes first alternates: a machine that slows down within a round favours neither side.
      const runs = [
        async () => ours.push(await measureOurs(i, `bench-${runId}-c${conns}-r${i}-`, (p) => closedLoop(stack.gateway.url, conns, cfg.durationS, p, refOurs))),
        async () => base.push((await measure('baseline', i, () => closedLoop(baseline.url, conns, cfg.durationS, `bench-${runId}-base-`, refBase))).round),
        async () =>
          base2w.push(
            (await measure('baseline, 2 workers', i, () => closedLoop(baseline2w.url, conns, cfg.durationS, `bench-${runId}-base2-`, refBase2w))).round,
          ),
      ];
      for (const run of i % 2 === 1 ? runs : runs.reverse()) await run();
    }
    closed[String(conns)] = compare(ours, base, base2w);
  }

  const reference = closed['16'] ?? Object.values(closed).at(-1)!;
  const rate = cfg.openRate ?? Math.max(1, Math.round(reference.baseline.rps * cfg.openRateFraction));
  log(`open loop at ${rate} req/s (${cfg.openRate === null ? `${cfg.openRateFraction} × the baseline's median req/s at 16 connections` : 'BENCH_OPEN_RATE'})`);
  const openOurs: Round[] = [];
  const openBase: Round[] = [];
  for (let i = 1; i <= cfg.rounds; i++) {
    const runs = [
      async () => openOurs.push(await measureOurs(i, `bench-${runId}-open-r${i}-`, (p) => openLoop(stack.gateway.url, rate, cfg.durationS, p, refOurs))),
      async () => openBase.push((await measure('baseline', i, () => openLoop(baseline.url, rate, cfg.durationS, `bench-${runId}-base-`, refBase))).round),
    ];
    for (const run of i % 2 === 1 ? runs : runs.reverse()) await run();
  }
  const open = { ...compare(openOurs, openBase), target_rps: rate };

  await lag.waitForZero(cfg.drainTimeoutS);
  await sleep(2000);
  log(`idle: ${cfg.idleS} s with no load`);
  const idleSampler = new ProcessSampler(pids);
  await sleep(cfg.idleS * 1000);
  const idleProcesses = idleSampler.stop();
  delete idleProcesses['load generator'];
  const idlePct = Object.keys(stackPids).reduce((s, name) => s + idleProcesses[name].cpu_pct_of_core, 0);
  const idle = { seconds: cfg.idleS, processes: idleProcesses, kafka_and_services_pct_of_core: round(idlePct, 1) };
  log(`  Kafka + services idle: ${idle.kafka_and_services_pct_of_core}% of one core`);

  let embedded: Comparison | null = null;
  if (cfg.embedded) {
    // The embedded mode needs no servers: stop the stack so it competes with nothing, as `npm start` would.
    log('stopping the Kafka stack; embedded mode (`npm start`) against the baseline at 16 connections');
    for (const name of ['kafka admin', ...stack.services.map((s) => s.name).reverse(), 'kafka', 'elasticsearch']) await cleanup.runOne(name);
    const app = await startEmbedded(cfg, cleanup);
    const embeddedPids = { embedded: app.pid, baseline: baseline.pid, 'baseline (2 workers: supervisor)': baseline2w.pid, 'load generator': process.pid };
    if (cfg.warmupS > 0) await closedLoop(app.url, 16, cfg.warmupS, `bench-${runId}-warmup-`);
    const refEmbedded = await referenceOf('embedded', app.url);
    const ours: Round[] = [];
    const base: Round[] = [];
    for (let i = 1; i <= cfg.rounds; i++) {
      const runs = [
        async () =>
          ours.push((await measure('embedded', i, () => closedLoop(app.url, 16, cfg.durationS, `bench-${runId}-emb-`, refEmbedded), embeddedPids)).round),
        async () =>
          base.push((await measure('baseline', i, () => closedLoop(baseline.url, 16, cfg.durationS, `bench-${runId}-base-`, refBase), embeddedPids)).round),
      ];
      for (const run of i % 2 === 1 ? runs : runs.reverse()) await run();
    }
    embedded = compare(ours, base);
  }

  const c16 = closed['16'];
  return {
    generated_at: new Date().toISOString(),
    git_commit: commit,
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model.trim() ?? 'unknown', node: process.version },
    config: {
      quick: cfg.quick,
      duration_s: cfg.durationS,
      warmup_s: cfg.warmupS,
      rounds: cfg.rounds,
      connections: cfg.connections,
      open_rate_rps: rate,
      idle_s: cfg.idleS,
      lag_followup_s: cfg.lagFollowupS,
      workers: cfg.workers,
      request_id_field: esField,
    },
    ours: c16 ? { rps: c16.ours.rps, p50_ms: c16.ours.p50_ms, p99_ms: c16.ours.p99_ms, errors: c16.ours.errors } : null,
    baseline: c16 ? { rps: c16.baseline.rps, p50_ms: c16.baseline.p50_ms, p99_ms: c16.baseline.p99_ms } : null,
    ratio_rps: c16 ? c16.ratio_rps : null,
    baseline_2w: c16?.baseline_2w ? { rps: c16.baseline_2w.rps, p50_ms: c16.baseline_2w.p50_ms, p99_ms: c16.baseline_2w.p99_ms } : null,
    ratio_rps_2w: c16?.ratio_rps_2w ?? null,
    closed_loop: closed,
    open_loop: open,
    embedded,
    idle,
    scoring,
    services,
  };
}

/**
 * kafkajs 2.2 arms timers with a negative delay on broker responses (its throttle deadline
 * starts at -1) and Node 24 warns about it each time; the warning is noise, others are shown.
 */
function quietKafkajsTimerWarning(): void {
  const handlers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name !== 'TimeoutNegativeWarning') for (const h of handlers) h(w);
  });
}

async function main(): Promise<void> {
  quietKafkajsTimerWarning();
  const cfg = loadBenchConfig(process.env);
  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    const results = await bench(cfg, cleanup);
    const checks = evaluateTargets(results);
    const section = renderReport(results, checks);
    const resultsDir = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify({ ...results, targets: checks }, null, 2) + '\n');
    const readmePath = join(REPO_ROOT, 'bench', 'README.md');
    writeFileSync(readmePath, replaceResultsSection(readFileSync(readmePath, 'utf8'), section));
    console.log('\n' + section + '\n');
    log('wrote bench/results/latest.json and the results section of bench/README.md');
  } finally {
    log('stopping everything the bench started');
    await cleanup.runAll();
  }
}

// Exits explicitly: a client library's timer must not keep a finished bench alive.
main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`[bench] failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
