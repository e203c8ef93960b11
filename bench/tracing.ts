import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, ServiceProcess } from '../scripts/lib/service-process';
import { Jaeger } from '../test/support/jaeger';
import { Cleanup } from './cleanup';
import { loadBenchConfig } from './config';
import { closedLoop } from './load';
import { cpuSeconds, round } from './proc-sampler';
import { BENCH_LOGS, BENCH_RATE_LIMIT, BENCH_STATE } from './processes';
import { median } from './stats';

/**
 * What tracing costs per prediction (`npm run bench:tracing`): four `npm start` processes side
 * by side, tracing off, on at the default sampling (parentbased_traceidratio, 1%), at 10% and
 * for every request (always_on), the last two exporting over OTLP to a real Jaeger. Rounds of the
 * closed loop at 16 connections alternate between them; each process's own CPU over the
 * requests it answered gives its CPU per prediction, compared with tracing off in the same run.
 * The embedded process runs every span the Kafka path does (gateway, worker, monitor), only the
 * transport differs.
 */
const CONNECTIONS = 16;

interface Variant {
  name: string;
  env: Record<string, string>;
}

async function main(): Promise<void> {
  const cfg = loadBenchConfig(process.env);
  const cleanup = new Cleanup();
  cleanup.onSignals();
  const log = (m: string) => console.log(`[bench:tracing] ${m}`);
  try {
    mkdirSync(BENCH_LOGS, { recursive: true });
    const base = cfg.portBase + 40;
    const jaeger = await Jaeger.start({ otlpHttp: base, otlpGrpc: base + 1, query: base + 2, queryGrpc: base + 3 }, join(BENCH_LOGS, 'jaeger.log'));
    cleanup.add('jaeger', () => jaeger.stop());
    const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${base}` };
    const variants: Variant[] = [
      { name: 'tracing off', env: {} },
      { name: 'tracing on, default sampling (1%)', env: otlp },
      { name: 'tracing on, 10% sampled', env: { ...otlp, OTEL_TRACES_SAMPLER_ARG: '0.1' } },
      { name: 'tracing on, every request', env: { ...otlp, OTEL_TRACES_SAMPLER: 'always_on' } },
    ];
    const processes = variants.map((v, i) => {
      const p = ServiceProcess.start(
        `embedded-tracing-${i}`,
        'embedded',
        base + 10 + i,
        { EMBEDDED_DATA_DIR: join(BENCH_STATE, `embedded-tracing-${i}`), RATE_LIMIT: BENCH_RATE_LIMIT, GRPC_PORT: '0', ...v.env },
        BENCH_LOGS,
      );
      cleanup.add(p.name, () => p.stop());
      return p;
    });
    await Promise.all(processes.map((p) => p.waitReady(120_000)));
    for (const p of processes) {
      log(`warm-up ${p.name}`);
      await closedLoop(p.url, CONNECTIONS, cfg.warmupS, `warm-${p.name}-`);
    }
    const samples = variants.map(() => ({ rps: [] as number[], cpuMs: [] as number[], p99: [] as number[] }));
    const rounds = Math.max(cfg.rounds, 3);
    for (let r = 0; r < rounds; r++) {
      // Alternating order: no variant always runs first (or last) in a round.
      const order = r % 2 === 0 ? variants.map((_, i) => i) : variants.map((_, i) => variants.length - 1 - i);
      for (const i of order) {
        const p = processes[i];
        const before = cpuSeconds(p.pid)!;
        const { result } = await closedLoop(p.url, CONNECTIONS, cfg.durationS, `r${r}-${i}-`);
        const cpu = cpuSeconds(p.pid)! - before;
        samples[i].rps.push(result.rps);
        samples[i].cpuMs.push((cpu * 1000) / Math.max(1, result.ok_2xx));
        samples[i].p99.push(result.p99_ms);
        log(`round ${r + 1}, ${variants[i].name}: ${result.rps} req/s, ${round((cpu * 1000) / Math.max(1, result.ok_2xx), 3)} ms CPU per prediction, p99 ${result.p99_ms} ms, non-2xx ${result.non_2xx}`);
      }
    }
    const off = median(samples[0].cpuMs);
    const rows = variants.map((v, i) => ({
      variant: v.name,
      rps: round(median(samples[i].rps), 0),
      p99_ms: round(median(samples[i].p99), 1),
      cpu_ms_per_prediction: round(median(samples[i].cpuMs), 3),
      cpu_vs_off: round(median(samples[i].cpuMs) / off, 3),
    }));
    const results = { at: new Date().toISOString(), connections: CONNECTIONS, rounds, duration_s: cfg.durationS, rows };
    const dir = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'tracing.json'), JSON.stringify(results, null, 2) + '\n');
    console.log('\n| embedded, 16 connections | req/s | p99 | CPU / prediction | vs off |\n|---|---|---|---|---|');
    for (const row of rows) console.log(`| ${row.variant} | ${row.rps} | ${row.p99_ms} ms | ${row.cpu_ms_per_prediction} ms | ${row.cpu_vs_off}× |`);
    log('wrote bench/results/tracing.json');
  } finally {
    await cleanup.runAll();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`[bench:tracing] failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
