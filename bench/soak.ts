/**
 * `npm run soak`: `npm start`'s process under sustained 1000-row batches for SOAK_MINUTES (10),
 * its RSS and heap sampled throughout, and the size of what it writes (its data directory and its
 * log). Memory and disk must be bounded by configuration, not by traffic: the report compares the
 * first minute after warm-up with the last one and writes bench/results/soak.json. It fails (exit 1)
 * when a batch was not answered or the in-process bus dropped a record (its metric, read at the end).
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, ServiceProcess } from '../scripts/lib/service-process';
import { Cleanup } from './cleanup';
import { BENCH_LOGS, BENCH_STATE } from './processes';
import { cpuSeconds, parseVmRssBytes } from './proc-sampler';
import { DROPPED_METRIC, counterTotal, soakProblems } from './soak-verdict';
import { median } from './stats';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 2);
const ROWS = 1000;
const PORT = Number(process.env.SOAK_PORT ?? 3290);
const SAMPLE_MS = 5_000;
const DATA_DIR = join(BENCH_STATE, 'soak-data');
const MB = 1024 * 1024;

/** A fixed pseudo-random batch around the iris ranges: one body, built once, so the load generator stays cheap. */
function batchBody(): string {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const instances = Array.from({ length: ROWS }, () => ({
    sepal_length: +(4.3 + rnd() * 3.6).toFixed(1),
    sepal_width: +(2 + rnd() * 2.4).toFixed(1),
    petal_length: +(1 + rnd() * 5.9).toFixed(1),
    petal_width: +(0.1 + rnd() * 2.4).toFixed(1),
  }));
  return JSON.stringify({ instances });
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

async function heapUsedBytes(url: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

interface Sample {
  t_s: number;
  rss_mb: number;
  heap_mb: number | null;
  batches: number;
  data_dir_mb: number;
  log_mb: number;
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  cleanup.onSignals();
  rmSync(DATA_DIR, { recursive: true, force: true });
  mkdirSync(BENCH_LOGS, { recursive: true });
  const app = ServiceProcess.start('soak-embedded', 'embedded', PORT, { EMBEDDED_DATA_DIR: DATA_DIR, RATE_LIMIT: '0' }, BENCH_LOGS);
  cleanup.add('embedded', () => app.stop());
  try {
    await app.waitReady(120_000);
    const body = batchBody();
    const logFile = join(BENCH_LOGS, 'soak-embedded.log');
    let batches = 0;
    let failures = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        const res = await fetch(`${app.url}/predict/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).catch(() => null);
        if (res?.ok) {
          await res.arrayBuffer();
          batches++;
        } else {
          failures++;
          await res?.arrayBuffer();
        }
      }
    };
    const samples: Sample[] = [];
    const started = Date.now();
    const cpuStart = cpuSeconds(app.pid) ?? 0;
    console.log(`[soak] ${MINUTES} min of ${ROWS}-row batches over ${CONNECTIONS} connections against ${app.url} (pid ${app.pid})`);
    const clients = Array.from({ length: CONNECTIONS }, client);
    while (Date.now() - started < MINUTES * 60_000) {
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
      const rss = parseVmRssBytes(readFileSync(`/proc/${app.pid}/status`, 'utf8')) ?? 0;
      const s: Sample = {
        t_s: Math.round((Date.now() - started) / 1000),
        rss_mb: +(rss / MB).toFixed(1),
        heap_mb: ((h) => (h === null ? null : +(h / MB).toFixed(1)))(await heapUsedBytes(app.url)),
        batches,
        data_dir_mb: +(dirBytes(DATA_DIR) / MB).toFixed(1),
        log_mb: +(statSync(logFile).size / MB).toFixed(2),
      };
      samples.push(s);
      if (samples.length % 12 === 0) console.log(`[soak] ${JSON.stringify(s)}`);
    }
    stop = true;
    await Promise.all(clients);
    const cpu = (cpuSeconds(app.pid) ?? 0) - cpuStart;
    const recordsDropped = counterTotal(await (await fetch(`${app.url}/metrics`)).text(), DROPPED_METRIC);
    const minute = (from: number, to: number) => samples.filter((s) => s.t_s > from && s.t_s <= to);
    const first = minute(60, 120);
    const last = minute(MINUTES * 60 - 60, MINUTES * 60 + 30);
    const summary = {
      minutes: MINUTES,
      connections: CONNECTIONS,
      rows_per_batch: ROWS,
      batches,
      rows: batches * ROWS,
      failures,
      records_dropped: recordsDropped,
      cpu_seconds: +cpu.toFixed(1),
      rss_mb: {
        minute_2_median: median(first.map((s) => s.rss_mb)),
        last_minute_median: median(last.map((s) => s.rss_mb)),
        max: Math.max(...samples.map((s) => s.rss_mb)),
      },
      heap_mb: {
        minute_2_median: median(first.flatMap((s) => (s.heap_mb === null ? [] : [s.heap_mb]))),
        last_minute_median: median(last.flatMap((s) => (s.heap_mb === null ? [] : [s.heap_mb]))),
      },
      data_dir_mb_end: samples.at(-1)?.data_dir_mb,
      data_dir_mb_max: Math.max(...samples.map((s) => s.data_dir_mb)),
      log_mb_end: samples.at(-1)?.log_mb,
      samples,
    };
    const out = join(REPO_ROOT, 'bench', 'results', 'soak.json');
    writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
    const { samples: _omit, ...shown } = summary;
    console.log(`[soak] ${JSON.stringify(shown, null, 2)}`);
    console.log(`[soak] written to bench/results/soak.json`);
    const problems = soakProblems(summary);
    if (problems.length > 0) throw new Error(`the soak failed: ${problems.join('; ')}`);
    console.log(`[soak] passed: every batch answered, no record dropped`);
  } finally {
    await cleanup.runAll();
  }
}

main().catch((err: unknown) => {
  console.error(`[soak] failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
