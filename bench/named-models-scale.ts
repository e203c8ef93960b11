import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '@app/model';
import { NODE_FLAGS } from '../scripts/lib/node-flags';
import { REPO_ROOT, ServiceProcess } from '../scripts/lib/service-process';
import { Cleanup } from './cleanup';
import { loadBenchConfig } from './config';
import { cpuSeconds, round } from './proc-sampler';
import { BENCH_LOGS, BENCH_RATE_LIMIT } from './processes';
import { summarizeLatencies, type LatencySummary } from './stats';

/**
 * `npm run bench:models`: a hundred named models registered at once in `npm start`'s process.
 * It writes 100 CSVs (200 numeric features each, every tenth model 20; 3 classes; 300 rows) into
 * a temporary DATA_DIR, starts the embedded process with `npm start`'s heap limits
 * (scripts/lib/node-flags.ts) on a fresh EMBEDDED_DATA_DIR, trains model-000…model-099 four
 * requests at a time, predicts with each model once and then 2,000 times over all of them at 16
 * concurrent requests, restarts the process on the same data directory (the registry replays
 * from its persisted topic) and predicts with each model once more. RSS is read from
 * /proc/<pid>/status (VmRSS, polled every 100 ms, and VmHWM, the peak since the start), the
 * heap from the process's own /metrics. Exits non-zero when a model is not promoted, an answer
 * is wrong, the restarted registry is incomplete, or the peak RSS exceeds RSS_BUDGET_MB.
 */

const MODELS = 100;
const WIDE_FEATURES = 200;
/** Every tenth model is narrow: the registry, the gateway's checks and the worker see two shapes. */
const NARROW_FEATURES = 20;
const ROWS_PER_CLASS = 100;
const CLASSES = ['class_a', 'class_b', 'class_c'] as const;
const LABEL = 'label';
const TRAIN_CONCURRENCY = 4;
const PREDICTIONS = 2_000;
const PREDICT_CONCURRENCY = 16;
/** The performance issue's memory budget for the embedded process. */
const RSS_BUDGET_MB = 250;
const SEED = 20_260_101;
const FINAL = new Set(['promoted', 'rejected', 'failed']);

const log = (m: string) => console.log(`[bench:models] ${m}`);
const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
const ms = (fromNs: bigint) => Number(process.hrtime.bigint() - fromNs) / 1e6;
const modelName = (i: number) => `model-${String(i).padStart(3, '0')}`;
const featureNames = (n: number) => Array.from({ length: n }, (_, j) => `f${String(j).padStart(3, '0')}`);

interface ModelData {
  name: string;
  file: string;
  features: string[];
  /** Row-major feature values and each row's class index, as written to the CSV. */
  X: Float64Array;
  y: Uint8Array;
}

/**
 * One model's dataset: per feature an offset and a scale, per class a mean drawn around the
 * offset, rows drawn around their class's mean (Box–Muller over mulberry32, so every run writes
 * the same files). Class means sit about one scale apart per feature (1.5 for the narrow models),
 * which a Gaussian NB separates almost perfectly on any split.
 */
export function generateModelData(index: number, nFeatures: number): { data: Omit<ModelData, 'name' | 'file'>; csv: string } {
  const random = mulberry32(SEED + index * 7919);
  const normal = () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const features = featureNames(nFeatures);
  const spread = nFeatures >= 100 ? 0.8 : 1.5;
  const offset = features.map(() => Math.round(random() * 1000) / 10);
  const scale = features.map(() => 0.5 + random() * 4.5);
  const means = CLASSES.map(() => features.map((_, j) => offset[j] + scale[j] * spread * normal()));
  const rows = CLASSES.length * ROWS_PER_CLASS;
  const order = Array.from({ length: rows }, (_, r) => r % CLASSES.length);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const X = new Float64Array(rows * nFeatures);
  const y = Uint8Array.from(order);
  const lines = [[...features, LABEL].join(',')];
  for (let r = 0; r < rows; r++) {
    const k = y[r];
    const cells: string[] = [];
    for (let j = 0; j < nFeatures; j++) {
      const v = Math.round((means[k][j] + scale[j] * normal()) * 1000) / 1000;
      X[r * nFeatures + j] = v;
      cells.push(String(v));
    }
    cells.push(CLASSES[k]);
    lines.push(cells.join(','));
  }
  return { data: { features, X, y }, csv: lines.join('\n') + '\n' };
}

function writeDatasets(dir: string): ModelData[] {
  return Array.from({ length: MODELS }, (_, i) => {
    const { data, csv } = generateModelData(i, i % 10 === 0 ? NARROW_FEATURES : WIDE_FEATURES);
    const file = `${modelName(i)}.csv`;
    writeFileSync(join(dir, file), csv);
    return { name: modelName(i), file, ...data };
  });
}

/** Row r of a model as a request body, by the model's own feature names. */
function rowBody(m: ModelData, r: number): string {
  const n = m.features.length;
  return JSON.stringify(Object.fromEntries(m.features.map((f, j) => [f, m.X[r * n + j]])));
}

interface ProcMemory {
  rss_mb: number;
  hwm_mb: number;
}

function procMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return { rss_mb: mb(kb('VmRSS')), hwm_mb: mb(kb('VmHWM')) };
}

/** The process's own view of its memory (prom-client's default metrics on /metrics), to tell heap from the rest of RSS. */
async function heapMetrics(url: string): Promise<Record<string, number>> {
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  const value = (metric: string) => {
    const m = new RegExp(`^${metric} ([\\d.e+-]+)$`, 'm').exec(text);
    return m ? mb(Number(m[1])) : NaN;
  };
  const out: Record<string, number> = {
    heap_used_mb: value('nodejs_heap_size_used_bytes'),
    heap_total_mb: value('nodejs_heap_size_total_bytes'),
    external_mb: value('nodejs_external_memory_bytes'),
  };
  for (const m of text.matchAll(/^nodejs_heap_space_size_used_bytes\{space="(\w+)"\} ([\d.e+-]+)$/gm)) out[`heap_${m[1]}_used_mb`] = mb(Number(m[2]));
  out.metrics_kb = round(Buffer.byteLength(text) / 1024, 1);
  return out;
}

/** Peak VmRSS over a window, polled every 100 ms (VmHWM is the peak since the start, not within a phase). */
class RssPoller {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.poll();
    this.timer = setInterval(() => this.poll(), 100);
  }

  private poll(): void {
    try {
      this.peak = Math.max(this.peak, procMemory(this.pid).rss_mb);
    } catch {
      // exited
    }
  }

  stop(): number {
    clearInterval(this.timer);
    this.poll();
    return this.peak;
  }
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text.slice(0, 300) };
  }
  return { status: res.status, body, headers: res.headers };
}

const post = (url: string, body: string, requestId?: string) =>
  json(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(requestId && { 'x-request-id': requestId }) } });

/** Starts the process and times it to the first 200 on /ready (polled every 25 ms), then checks the port is its own. */
async function startTimed(name: string, port: number, env: Record<string, string>, cleanup: Cleanup): Promise<{ proc: ServiceProcess; ready_s: number }> {
  const started = process.hrtime.bigint();
  const proc = ServiceProcess.start(name, 'embedded', port, env, BENCH_LOGS);
  cleanup.add(name, () => proc.stop());
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (!proc.running) break; // waitReady reports how it exited
    try {
      if ((await fetch(`${proc.url}/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const ready_s = round(ms(started) / 1000, 2);
  await proc.waitReady(5_000);
  return { proc, ready_s };
}

interface Answer {
  status: number;
  ms: number;
  body: Record<string, unknown>;
}

/** One prediction of row r of a model, checked: 200, the model's own name, version 1, one of its three classes. */
async function predict(url: string, m: ModelData, r: number, requestId: string, wrong: string[]): Promise<Answer> {
  const t = process.hrtime.bigint();
  const res = await post(`${url}/models/${m.name}/predict`, rowBody(m, r), requestId);
  const answer = { status: res.status, ms: ms(t), body: res.body };
  const problem =
    res.status !== 200
      ? `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`
      : res.body.model !== m.name
        ? `answered by model ${String(res.body.model)}`
        : !(CLASSES as readonly string[]).includes(res.body.prediction as string)
          ? `prediction ${String(res.body.prediction)} is not one of ${CLASSES.join(', ')}`
          : res.body.model_version !== 1
            ? `model_version ${String(res.body.model_version)}`
            : null;
  if (problem) wrong.push(`${m.name} row ${r} (${requestId}): ${problem}`);
  return answer;
}

function latency(values: number[]): LatencySummary {
  const s = summarizeLatencies(values);
  return { n: s.n, p50_ms: round(s.p50_ms, 2), p90_ms: round(s.p90_ms, 2), p99_ms: round(s.p99_ms, 2), max_ms: round(s.max_ms, 2) };
}

/** One predict per model, one after the other: the first use of each model after a (re)start, which compiles its scorer. */
async function predictEachOnce(url: string, models: ModelData[], prefix: string, wrong: string[]) {
  const times: number[] = [];
  let agree = 0;
  for (const m of models) {
    const a = await predict(url, m, 0, `${prefix}-${m.name}`, wrong);
    times.push(a.ms);
    if (a.body.prediction === CLASSES[m.y[0]]) agree++;
  }
  return { latency: latency(times), agree_with_label: agree };
}

function dirBytes(dir: string): number {
  try {
    return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const cfg = loadBenchConfig(process.env);
  const port = cfg.portBase + 25;
  const cleanup = new Cleanup();
  cleanup.onSignals();
  const failures: string[] = [];
  const wrong: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-models-data-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-models-state-'));
  mkdirSync(BENCH_LOGS, { recursive: true });
  const env = {
    EMBEDDED_DATA_DIR: stateDir,
    DATA_DIR: dataDir,
    GRPC_PORT: '0',
    LOG_LEVEL: 'warn',
    RATE_LIMIT: BENCH_RATE_LIMIT,
  };
  try {
    const generated = process.hrtime.bigint();
    const models = writeDatasets(dataDir);
    log(`wrote ${MODELS} CSVs to ${dataDir} in ${round(ms(generated), 0)} ms (${mb(dirBytes(dataDir))} MB)`);

    // 1. A fresh process: its default model (iris) is trained on the first start.
    const first = await startTimed('embedded-models-1', port, env, cleanup);
    const pid1 = first.proc.pid;
    const url = first.proc.url;
    const atReady = { ...procMemory(pid1), ...(await heapMetrics(url)) };
    log(`started (pid ${pid1}, ${NODE_FLAGS.embedded.join(' ')}) in ${first.ready_s} s; RSS ${atReady.rss_mb} MB`);

    // 2. Train model-000…model-099, four requests in flight at a time, each polled to its outcome.
    const jobs: Array<{ model: string; features: number; status: string; version: unknown; accuracy: unknown; seconds: number; reason?: unknown }> = [];
    const trainPoll = new RssPoller(pid1);
    const trainCpu = cpuSeconds(pid1)!;
    const trainStart = process.hrtime.bigint();
    await pool(models, TRAIN_CONCURRENCY, async (m) => {
      const t = process.hrtime.bigint();
      const body = JSON.stringify({ dataset: { source: 'csv', path: m.file, label: LABEL }, test_size: 0.25 });
      const accepted = await post(`${url}/models/${m.name}/retrain`, body);
      const location = accepted.headers.get('location');
      if (accepted.status !== 202 || !location) {
        jobs.push({
          model: m.name,
          features: m.features.length,
          status: `HTTP ${accepted.status}`,
          version: null,
          accuracy: null,
          seconds: 0,
          reason: accepted.body,
        });
        return;
      }
      const deadline = Date.now() + 300_000;
      for (;;) {
        const job = await json(`${url}${location}`);
        const status = String(job.body.status);
        if (job.status === 200 && FINAL.has(status)) {
          const metrics = job.body.metrics as { accuracy?: number } | undefined;
          jobs.push({
            model: m.name,
            features: m.features.length,
            status,
            version: job.body.model_version,
            accuracy: metrics?.accuracy ?? null,
            seconds: round(ms(t) / 1000, 2),
            ...(status !== 'promoted' && { reason: job.body.outcome_reason }),
          });
          return;
        }
        if (Date.now() > deadline) {
          jobs.push({
            model: m.name,
            features: m.features.length,
            status: `timeout (${status})`,
            version: null,
            accuracy: null,
            seconds: round(ms(t) / 1000, 2),
          });
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    const trainS = round(ms(trainStart) / 1000, 2);
    const training = {
      seconds: trainS,
      per_model_s: round(trainS / MODELS, 3),
      concurrency: TRAIN_CONCURRENCY,
      cpu_s: round(cpuSeconds(pid1)! - trainCpu, 2),
      promoted: jobs.filter((j) => j.status === 'promoted').length,
      holdout_accuracy_min: round(Math.min(...jobs.map((j) => Number(j.accuracy ?? NaN))), 4),
      job_seconds: latency(jobs.map((j) => j.seconds * 1000)),
      peak_rss_mb: trainPoll.stop(),
      after: { ...procMemory(pid1), ...(await heapMetrics(url)) },
      jobs: jobs.sort((a, b) => a.model.localeCompare(b.model)),
    };
    for (const j of jobs)
      if (j.status !== 'promoted' || j.version !== 1)
        failures.push(`${j.model}: ${j.status}, version ${String(j.version)} ${j.reason ? JSON.stringify(j.reason) : ''}`);
    log(`trained ${MODELS} models in ${trainS} s: ${training.promoted} promoted; RSS ${training.after.rss_mb} MB (peak ${training.peak_rss_mb})`);

    // 3. Each model once (first use: compiled), then 2,000 predictions over all of them, 16 in flight.
    const firstUse = await predictEachOnce(url, models, 'scale-first', wrong);
    const loadPoll = new RssPoller(pid1);
    const loadCpu = cpuSeconds(pid1)!;
    const times: number[] = [];
    let ok = 0;
    let agree = 0;
    const loadStart = process.hrtime.bigint();
    await pool(
      Array.from({ length: PREDICTIONS }, (_, i) => i),
      PREDICT_CONCURRENCY,
      async (i) => {
        // Round robin over the models, a different row of each on every pass.
        const m = models[i % MODELS];
        const r = (Math.floor(i / MODELS) * 37 + 1) % (CLASSES.length * ROWS_PER_CLASS);
        const a = await predict(url, m, r, `scale-load-${i}`, wrong);
        times.push(a.ms);
        if (a.status === 200) ok++;
        if (a.body.prediction === CLASSES[m.y[r]]) agree++;
      },
    );
    const loadS = ms(loadStart) / 1000;
    const loadCpuS = cpuSeconds(pid1)! - loadCpu;
    const load = {
      requests: PREDICTIONS,
      concurrency: PREDICT_CONCURRENCY,
      ok_200: ok,
      seconds: round(loadS, 2),
      rps: round(ok / loadS, 0),
      latency: latency(times),
      cpu_ms_per_prediction: round((loadCpuS * 1000) / Math.max(1, ok), 3),
      agree_with_label: agree,
      peak_rss_mb: loadPoll.stop(),
      after: { ...procMemory(pid1), ...(await heapMetrics(url)) },
    };
    log(`${PREDICTIONS} predictions: ${load.rps} req/s, p50 ${load.latency.p50_ms} ms, p99 ${load.latency.p99_ms} ms; VmHWM ${load.after.hwm_mb} MB`);
    const firstRunHwm = procMemory(pid1).hwm_mb;

    // 4. Stop, start again on the same data directory: the registry replays from its persisted topic.
    const stopStart = process.hrtime.bigint();
    await cleanup.runOne('embedded-models-1');
    const stopS = round(ms(stopStart) / 1000, 2);
    const stateBytes = dirBytes(stateDir);
    const second = await startTimed('embedded-models-2', port, env, cleanup);
    const pid2 = second.proc.pid;
    const url2 = second.proc.url;
    const listing = await json(`${url2}/models`);
    const named = (listing.body.named_models ?? []) as Array<{ name: string; current_version: number | null; status?: string }>;
    const listedRight = named.filter((n) => n.current_version === 1 && models.some((m) => m.name === n.name)).length;
    if (listing.status !== 200 || named.length !== MODELS || listedRight !== MODELS) {
      failures.push(`after the restart GET /models listed ${named.length} named models, ${listedRight} of ${MODELS} expected at current_version 1`);
    }
    const restartReady = { ...procMemory(pid2), ...(await heapMetrics(url2)) };
    log(`restarted in ${second.ready_s} s: GET /models lists ${named.length} named models (${listedRight} at version 1); RSS ${restartReady.rss_mb} MB`);
    const restartPoll = new RssPoller(pid2);
    const afterRestart = await predictEachOnce(url2, models, 'scale-restart', wrong);
    const restart = {
      stop_s: stopS,
      state_dir_mb: mb(stateBytes),
      ready_s: second.ready_s,
      named_models_listed: named.length,
      listed_at_version_1: listedRight,
      at_ready: restartReady,
      first_use: afterRestart,
      peak_rss_mb: restartPoll.stop(),
      after: { ...procMemory(pid2), ...(await heapMetrics(url2)) },
    };
    log(`each model once after the restart: p50 ${afterRestart.latency.p50_ms} ms, max ${afterRestart.latency.max_ms} ms; RSS ${restart.after.rss_mb} MB`);
    await cleanup.runOne('embedded-models-2');

    // 5. The verdict, the table and the results file.
    const peakRss = Math.max(firstRunHwm, restart.after.hwm_mb);
    if (peakRss > RSS_BUDGET_MB) failures.push(`peak RSS ${peakRss} MB exceeds the ${RSS_BUDGET_MB} MB budget`);
    if (wrong.length > 0) failures.push(`${wrong.length} wrong answers, first: ${wrong[0]}`);
    const narrow = models.filter((m) => m.features.length === NARROW_FEATURES).length;
    const results = {
      at: new Date().toISOString(),
      git_commit: gitCommit(),
      command: 'npm run bench:models',
      machine: { os: `${osType()} ${release()}`, cpus: cpus().length, cpu_model: cpus()[0]?.model ?? null, total_memory_mb: mb(totalmem()) },
      node: process.version,
      node_flags: NODE_FLAGS.embedded,
      budget: { peak_rss_mb: RSS_BUDGET_MB, measured_peak_rss_mb: peakRss, pass: peakRss <= RSS_BUDGET_MB },
      pass: failures.length === 0,
      failures,
      wrong_answers: wrong.slice(0, 50),
      wrong_answers_total: wrong.length,
      datasets: {
        models: MODELS,
        features: { [WIDE_FEATURES]: MODELS - narrow, [NARROW_FEATURES]: narrow },
        classes: CLASSES.length,
        rows: CLASSES.length * ROWS_PER_CLASS,
        test_size: 0.25,
        csv_mb: mb(dirBytes(dataDir)),
        seed: SEED,
      },
      first_start: { ready_s: first.ready_s, at_ready: atReady },
      training,
      first_use: firstUse,
      load,
      first_run_vm_hwm_mb: firstRunHwm,
      restart,
    };
    const out = join(REPO_ROOT, 'bench', 'results', 'named-models-scale.json');
    mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    printTable(results);
    log(`wrote bench/results/named-models-scale.json; service logs in ${BENCH_LOGS}/embedded-models-{1,2}.log`);
    if (failures.length > 0) {
      for (const f of failures) console.error(`[bench:models] FAIL: ${f}`);
      log(`kept ${dataDir} and ${stateDir} for a look`);
      process.exitCode = 1;
    } else {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    }
  } finally {
    await cleanup.runAll();
  }
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const thousands = (v: number) => v.toLocaleString('en-US');

function printTable(r: {
  machine: { cpus: number; total_memory_mb: number };
  node: string;
  first_start: { ready_s: number; at_ready: ProcMemory };
  training: { seconds: number; per_model_s: number; promoted: number; holdout_accuracy_min: number; after: ProcMemory; peak_rss_mb: number };
  first_use: { latency: LatencySummary };
  load: { rps: number; latency: LatencySummary; ok_200: number; cpu_ms_per_prediction: number; after: ProcMemory };
  restart: { ready_s: number; named_models_listed: number; listed_at_version_1: number; first_use: { latency: LatencySummary }; after: ProcMemory };
  wrong_answers_total: number;
  budget: { peak_rss_mb: number; measured_peak_rss_mb: number; pass: boolean };
}): void {
  const rows: Array<[string, string]> = [
    ['first start to /ready (fresh state, trains iris)', `${r.first_start.ready_s} s, RSS ${r.first_start.at_ready.rss_mb} MB`],
    [
      `train ${MODELS} models, ${TRAIN_CONCURRENCY} requests at a time`,
      `${r.training.seconds} s (${r.training.per_model_s} s per model), ${r.training.promoted} of ${MODELS} promoted, lowest holdout accuracy ${r.training.holdout_accuracy_min}`,
    ],
    ['RSS after training (VmRSS / VmHWM)', `${r.training.after.rss_mb} / ${r.training.after.hwm_mb} MB`],
    ['one predict per model, first use', `p50 ${r.first_use.latency.p50_ms} ms, max ${r.first_use.latency.max_ms} ms`],
    [
      `${thousands(PREDICTIONS)} predictions over the ${MODELS} models, ${PREDICT_CONCURRENCY} at a time`,
      `${thousands(r.load.rps)} req/s, p50 ${r.load.latency.p50_ms} ms, p99 ${r.load.latency.p99_ms} ms, ${r.load.cpu_ms_per_prediction} ms CPU per prediction`,
    ],
    ['peak RSS, first run (VmHWM)', `${r.load.after.hwm_mb} MB`],
    [
      `restart to /ready (replays ${MODELS} models)`,
      `${r.restart.ready_s} s; GET /models lists ${r.restart.named_models_listed}, ${r.restart.listed_at_version_1} at current_version 1`,
    ],
    ['one predict per model after the restart', `p50 ${r.restart.first_use.latency.p50_ms} ms, max ${r.restart.first_use.latency.max_ms} ms`],
    ['RSS after the restart and its predictions (VmRSS / VmHWM)', `${r.restart.after.rss_mb} / ${r.restart.after.hwm_mb} MB`],
    ['wrong answers', `${r.wrong_answers_total} of ${thousands(PREDICTIONS + 2 * MODELS)}`],
    [`budget: peak RSS ≤ ${r.budget.peak_rss_mb} MB`, `${r.budget.pass ? 'PASS' : 'FAIL'} (${r.budget.measured_peak_rss_mb} MB)`],
  ];
  console.log(
    `\n${MODELS} named models (${MODELS - MODELS / 10} × ${WIDE_FEATURES} features, ${MODELS / 10} × ${NARROW_FEATURES}), npm start's process; ` +
      `${r.machine.cpus} CPUs, ${thousands(Math.round(r.machine.total_memory_mb))} MB, Node ${r.node.slice(1)}\n`,
  );
  console.log('| 100 named models | measured |\n|---|---|');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log('');
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: Error) => {
    console.error(`[bench:models] failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
