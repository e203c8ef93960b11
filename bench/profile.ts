import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cleanup } from './cleanup';
import { loadBenchConfig } from './config';
import { gitCommit } from './git-commit';
import { summarizeProfile } from './cpu-profile';
import { summarizeAllocations } from './heap-profile';
import { profileWhile } from './inspector-profile';
import { closedLoop } from './load';
import { ProcessSampler, round } from './proc-sampler';
import { parseMemory, perPrediction, scrapePublished, type MemoryBreakdown } from './service-metrics';
import { REPO_ROOT } from '../scripts/lib/service-process';
import { BENCH_STATE, startInfra, startStack } from './processes';

/**
 * `npm run bench:profile`: where the Kafka path's CPU goes. The stack as the bench starts it (two
 * workers), warmed up, then BENCH_ROUNDS closed-loop rounds at BENCH_PROFILE_CONNECTIONS (16)
 * with each process's CPU per prediction, then one more round per Node service with a V8 CPU
 * profile of it, summarized by kind of code, and the bytes it allocated per prediction (V8's
 * sampling heap profiler) by the same kinds; the bytes and records per prediction each Kafka
 * topic carried in the measured rounds (the services' event_published_bytes_total); each
 * process's peak RSS in the rounds, and what each service's memory is made of (heap spaces,
 * external, the rest) half-way through the last round. The figures go to
 * bench/results/profile.json, the profiles themselves (.cpuprofile, .heapprofile: Chrome
 * DevTools opens both) to .infra/bench/profiles.
 * Kafka and Elasticsearch left running from an earlier run are reused (their JIT warm).
 */
const log = (msg: string) => console.log(`[profile] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function memoryOf(services: ReadonlyArray<{ name: string; url: string }>): Promise<Record<string, MemoryBreakdown>> {
  const out: Record<string, MemoryBreakdown> = {};
  for (const s of services) out[s.name] = parseMemory(await (await fetch(`${s.url}/metrics`)).text());
  return out;
}

async function main(): Promise<void> {
  const cfg = loadBenchConfig(process.env);
  const connections = Number(process.env.BENCH_PROFILE_CONNECTIONS || 16);
  if (!Number.isInteger(connections) || connections < 1 || connections > 1024) throw new Error('BENCH_PROFILE_CONNECTIONS must be an integer from 1 to 1024');
  const outDir = join(BENCH_STATE, 'profiles');
  mkdirSync(outDir, { recursive: true });
  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    const infra = await startInfra(cfg, cleanup);
    const stack = await startStack(cfg, 'profile', cleanup);
    const pids: Record<string, number> = { ...infra, 'load generator': process.pid };
    for (const s of stack.services) pids[s.name] = s.pid;
    log(`stack ready; warm-up ${cfg.warmupS} s at ${connections} connections`);
    await closedLoop(stack.gateway.url, connections, cfg.warmupS, 'profile-warmup-');
    const metricsUrls = stack.services.map((s) => `${s.url}/metrics`);
    const publishedBefore = await scrapePublished(metricsUrls);
    let answeredInRounds = 0;
    let memoryUnderLoad: Record<string, MemoryBreakdown> = {};
    const rounds = [];
    for (let i = 1; i <= cfg.rounds; i++) {
      const sampler = new ProcessSampler(pids);
      // Mid-way through the last round, under load: what each service's memory is made of.
      const memoryRead = i === cfg.rounds ? sleep(cfg.durationS * 500).then(() => memoryOf(stack.services)) : null;
      const { result } = await closedLoop(stack.gateway.url, connections, cfg.durationS, `profile-r${i}-`);
      if (memoryRead) memoryUnderLoad = await memoryRead;
      const usage = sampler.stop();
      const answered = Math.max(result.ok_2xx, 1);
      answeredInRounds += result.ok_2xx;
      const perProcess = Object.fromEntries(Object.entries(usage).map(([name, u]) => [name, round((u.cpu_s * 1000) / answered, 3)]));
      const total = round((Object.values(usage).reduce((n, u) => n + u.cpu_s, 0) * 1000) / answered, 3);
      rounds.push({
        round: i,
        rps: round(result.rps, 0),
        p50_ms: result.p50_ms,
        p99_ms: result.p99_ms,
        errors: result.errors,
        cpu_ms_per_prediction: total,
        per_process: perProcess,
        peak_rss_mb: Object.fromEntries(Object.entries(usage).flatMap(([name, u]) => (u.peak_rss_mb > 0 ? [[name, u.peak_rss_mb]] : []))),
      });
      log(`round ${i}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99_ms.toFixed(1)} ms, ${total} ms CPU per prediction: ${JSON.stringify(perProcess)}`);
    }
    for (const [name, m] of Object.entries(memoryUnderLoad)) log(`${name} under load: ${JSON.stringify(m)}`);
    const kafkaBytes = perPrediction(publishedBefore, await scrapePublished(metricsUrls), answeredInRounds);
    for (const t of kafkaBytes)
      log(`${t.topic}: ${t.bytes_per_prediction} bytes and ${t.records_per_prediction} records per prediction (${t.bytes_per_record} bytes per record)`);
    const profiles: Record<string, unknown> = {};
    for (const name of ['gateway', 'inference-worker-1', 'monitor']) {
      const { result, profile, heap } = await profileWhile(pids[name], () => closedLoop(stack.gateway.url, connections, cfg.durationS, `profile-${name}-`));
      writeFileSync(join(outDir, `${name}.cpuprofile`), JSON.stringify(profile));
      writeFileSync(join(outDir, `${name}.heapprofile`), JSON.stringify({ head: heap }));
      const summary = summarizeProfile(profile);
      const allocations = summarizeAllocations(heap, result.result.ok_2xx);
      profiles[name] = { rps_while_profiled: round(result.result.rps, 0), ...summary, allocations };
      log(
        `${name} allocated ${allocations.bytes_per_prediction} bytes per prediction: ${allocations.categories.map((c) => `${c.category} ${(100 * c.share).toFixed(1)}%`).join(', ')}`,
      );
      log(
        `${name} (busy ${(100 * (1 - summary.idle_share)).toFixed(0)}% of its samples): ${summary.categories.map((c) => `${c.category} ${(100 * c.share).toFixed(1)}%`).join(', ')}`,
      );
    }
    const commit = gitCommit();
    const results = {
      at: new Date().toISOString(),
      git_commit: commit,
      connections,
      workers: cfg.workers,
      rounds,
      memory_under_load_mb: memoryUnderLoad,
      kafka_bytes_per_prediction: kafkaBytes,
      profiles,
    };
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'profile.json'), JSON.stringify(results, null, 2) + '\n');
    log(`wrote bench/results/profile.json and a .cpuprofile and .heapprofile per service in ${outDir} (open them in Chrome DevTools)`);
  } finally {
    await cleanup.runAll();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`[profile] failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
