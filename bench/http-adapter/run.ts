import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeFlags } from '../../scripts/lib/node-flags';
import { REPO_ROOT } from '../../scripts/lib/service-process';
import { referenceAnswers } from '../answers';
import { loadBenchConfig } from '../config';
import { gitCommit } from '../git-commit';
import { closedLoop } from '../load';
import { BENCH_LOGS } from '../processes';
import { ProcessSampler, round } from '../proc-sampler';
import { median } from '../stats';
import { VARIANTS, type Variant } from './variants';

/**
 * `npm run bench:http`: the cost of the HTTP layer alone, Express against Fastify under Nest, bare
 * and with the gateway's security chain (bench/http-adapter/servers.ts). Each variant is its own
 * server process (the gateway's V8 flags) on one core, the load generator on the other;
 * BENCH_ROUNDS rounds, the order of the variants rotated each round, each run warmed up for
 * BENCH_WARMUP_S and measured for BENCH_DURATION_S at 16 connections with every answer checked
 * against its own flower. The figure that matters is the server's CPU per request (req/s is
 * capped by the load generator's core): the medians go to bench/results/http-adapter.json.
 */
const log = (msg: string) => console.log(`[bench:http] ${msg}`);
const CONNECTIONS = 16;
const PORT = 18_190;

interface Run {
  variant: Variant;
  round: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  non_2xx: number;
  wrong_answers: number;
  cpu_ms_per_request: number;
  peak_rss_mb: number;
}

function startServer(variant: Variant): ChildProcess {
  mkdirSync(BENCH_LOGS, { recursive: true });
  const out = openSync(join(BENCH_LOGS, `http-${variant}.log`), 'w');
  return spawn(process.execPath, [...nodeFlags('gateway'), join(REPO_ROOT, 'dist/bench/http-adapter/server.js'), variant, String(PORT)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', out, out],
    env: { ...process.env, LOG_LEVEL: 'info' },
  });
}

async function untilServing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} (see ${BENCH_LOGS})`);
    try {
      if ((await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status === 400) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer within 20 s (see ${BENCH_LOGS})`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function measure(variant: Variant, roundNo: number, warmupS: number, durationS: number): Promise<Run> {
  const url = `http://127.0.0.1:${PORT}`;
  const child = startServer(variant);
  try {
    await untilServing(url, child);
    const reference = await referenceAnswers(url);
    await closedLoop(url, CONNECTIONS, warmupS, `warm-${variant}-`);
    const sampler = new ProcessSampler({ server: child.pid! });
    const { result } = await closedLoop(url, CONNECTIONS, durationS, `r${roundNo}-${variant}-`, reference);
    const usage = sampler.stop().server;
    const run: Run = {
      variant,
      round: roundNo,
      rps: round(result.rps, 0),
      p50_ms: result.p50_ms,
      p99_ms: result.p99_ms,
      errors: result.errors,
      non_2xx: result.non_2xx,
      wrong_answers: result.wrong_answers ?? 0,
      cpu_ms_per_request: round((usage.cpu_s * 1000) / Math.max(result.ok_2xx, 1), 4),
      peak_rss_mb: usage.peak_rss_mb,
    };
    log(
      `round ${roundNo} ${variant}: ${run.rps} req/s, p99 ${run.p99_ms} ms, ${run.cpu_ms_per_request} ms CPU per request, errors ${run.errors + run.non_2xx}, wrong ${run.wrong_answers}`,
    );
    return run;
  } finally {
    await stop(child);
  }
}

async function main(): Promise<void> {
  const cfg = loadBenchConfig(process.env);
  const runs: Run[] = [];
  for (let r = 1; r <= cfg.rounds; r++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + r - 1) % VARIANTS.length]);
    for (const variant of order) runs.push(await measure(variant, r, cfg.warmupS, cfg.durationS));
  }
  const medians = Object.fromEntries(
    VARIANTS.map((v) => {
      const mine = runs.filter((x) => x.variant === v);
      return [
        v,
        {
          rps: median(mine.map((x) => x.rps)),
          p99_ms: median(mine.map((x) => x.p99_ms)),
          cpu_ms_per_request: median(mine.map((x) => x.cpu_ms_per_request)),
          peak_rss_mb: Math.max(...mine.map((x) => x.peak_rss_mb)),
        },
      ];
    }),
  ) as Record<Variant, { rps: number; p99_ms: number; cpu_ms_per_request: number; peak_rss_mb: number }>;
  const saved = (a: Variant, b: Variant) => round(medians[a].cpu_ms_per_request - medians[b].cpu_ms_per_request, 4);
  const summary = {
    fastify_saves_bare_ms: saved('express', 'fastify'),
    fastify_saves_hardened_ms: saved('express-hardened', 'fastify-hardened'),
    security_chain_costs_express_ms: saved('express-hardened', 'express'),
    security_chain_costs_fastify_ms: saved('fastify-hardened', 'fastify'),
  };
  const failures = runs.reduce((n, x) => n + x.errors + x.non_2xx + x.wrong_answers, 0);
  const out = {
    git_commit: gitCommit(),
    node: process.version,
    connections: CONNECTIONS,
    rounds: cfg.rounds,
    warmup_s: cfg.warmupS,
    duration_s: cfg.durationS,
    medians,
    summary,
    failures,
    runs,
  };
  writeFileSync(join(REPO_ROOT, 'bench/results/http-adapter.json'), `${JSON.stringify(out, null, 2)}\n`);
  for (const v of VARIANTS) log(`${v}: median ${medians[v].rps} req/s, ${medians[v].cpu_ms_per_request} ms CPU per request, p99 ${medians[v].p99_ms} ms`);
  log(
    `Fastify saves ${summary.fastify_saves_bare_ms} ms per request bare, ${summary.fastify_saves_hardened_ms} ms with the security chain; failures ${failures}`,
  );
  if (failures > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
