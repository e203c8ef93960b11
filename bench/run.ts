import { execFileSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { GaussianNB } from 'ml-naivebayes';
import { compileScorer, irisDataset } from '@app/model';
import { trainModel } from '@app/training';
import { REPO_ROOT, ServiceProcess } from '../scripts/lib/service-process';
import { startDirectServer } from './direct-server';
import { summarize, timeCalls, type Summary } from './stats';

/**
 * `npm run bench`: every figure is measured in this one run, next to its baseline, because
 * the machines are noisy. Uses the Kafka at KAFKA_BROKERS or starts the local one.
 */
const SETOSA = JSON.stringify({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 });
const N = Number(process.env.BENCH_N ?? 100);
const KAFKA = process.env.KAFKA_BROKERS ?? 'localhost:9092';
const fmt = (s: Summary) => `median ${s.median.toFixed(3)} ms, p95 ${s.p95.toFixed(3)} ms (n=${s.n})`;

const post = (url: string, body: string) => async () => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  await res.arrayBuffer();
};

function reachable(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const s = createConnection({ host, port: Number(port) });
    s.setTimeout(1000, () => (s.destroy(), resolve(false)));
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function scoringThroughput(): void {
  const iris = irisDataset();
  const { params } = trainModel(iris, { testSize: 0.2, randomState: 42, varSmoothing: 1e-9 }, { minAccuracy: 0, maxRegression: 1 }, null);
  const score = compileScorer(params);
  const legacy = new GaussianNB();
  legacy.train(iris.X, iris.y);
  const rounds = 2000;
  const perRow = (fn: () => void) => {
    const samples: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) fn();
      samples.push(Number(process.hrtime.bigint() - t) / (rounds * iris.X.length));
    }
    return summarize(samples).median;
  };
  const ours = perRow(() => iris.X.forEach((x) => score(x)));
  const theirs = perRow(() => legacy.predict(iris.X));
  console.log(
    `scoring, per row:  ours ${ours.toFixed(0)} ns (${(1e9 / ours / 1e6).toFixed(1)} M rows/s) | ml-naivebayes predict ${theirs.toFixed(0)} ns | ratio ${(theirs / ours).toFixed(1)}x`,
  );
}

async function main(): Promise<void> {
  scoringThroughput();

  let startedKafka = false;
  if (!(await reachable(KAFKA.split(',')[0]))) {
    execFileSync('bash', [join(REPO_ROOT, 'scripts/infra/kafka.sh'), 'up'], { stdio: 'inherit' });
    startedKafka = true;
  }
  const env = { KAFKA_BROKERS: KAFKA, MONITOR_SINK: 'log', LOG_LEVEL: 'warn' };
  const logDir = join(REPO_ROOT, '.infra', 'bench');
  const services: ServiceProcess[] = [];
  try {
    const trainer = ServiceProcess.start('bench-trainer', 'trainer', 3502, env, logDir);
    services.push(trainer);
    await trainer.waitReady();
    const params = irisModelParams();
    const worker = ServiceProcess.start('bench-worker', 'inference-worker', 3503, env, logDir);
    const gateway = ServiceProcess.start('bench-gateway', 'gateway', 3501, env, logDir);
    services.push(worker, gateway);
    await Promise.all([worker.waitReady(), gateway.waitReady()]);
    const embedded = ServiceProcess.start(
      'bench-embedded',
      'embedded',
      3504,
      { MONITOR_SINK: 'log', LOG_LEVEL: 'warn', EMBEDDED_DATA_DIR: join(logDir, 'embedded-data') },
      logDir,
    );
    services.push(embedded);
    await embedded.waitReady();
    const direct = await startDirectServer(params, 3505);

    const rounds = 3;
    const results: Record<string, number[]> = { direct: [], embedded: [], kafka: [] };
    for (let r = 0; r < rounds; r++) {
      // Interleaved, so drift in machine load hits every variant alike.
      results.direct.push((await timeCalls(N, 20, post('http://127.0.0.1:3505/predict', SETOSA))).median);
      results.embedded.push((await timeCalls(N, 20, post(`${embedded.url}/predict`, SETOSA))).median);
      results.kafka.push((await timeCalls(N, 20, post(`${gateway.url}/predict`, SETOSA))).median);
    }
    const med = (k: string) => summarize(results[k]).median;
    const kafkaOnce = await timeCalls(N, 0, post(`${gateway.url}/predict`, SETOSA));
    console.log(`POST /predict latency, median of ${N} sequential requests (median of ${rounds} interleaved rounds):`);
    console.log(`  direct node:http + scorer (baseline)   ${med('direct').toFixed(3)} ms`);
    console.log(`  embedded (npm start, in-process bus)   ${med('embedded').toFixed(3)} ms  (${(med('embedded') / med('direct')).toFixed(1)}x baseline)`);
    console.log(`  gateway -> Kafka -> worker -> gateway  ${med('kafka').toFixed(3)} ms  (${(med('kafka') / med('direct')).toFixed(1)}x baseline)`);
    console.log(`  Kafka path, one more run: ${fmt(kafkaOnce)}`);

    const batch = JSON.stringify({ instances: Array.from({ length: 1000 }, () => JSON.parse(SETOSA)) });
    const batchLatency = await timeCalls(20, 3, post(`${gateway.url}/predict/batch`, batch));
    console.log(
      `POST /predict/batch of 1000 rows via Kafka: ${fmt(batchLatency)} -> ${(1000 / (batchLatency.median / 1000)).toFixed(0)} rows/s per request stream`,
    );

    const concurrent = 32;
    const total = 2000;
    const t = process.hrtime.bigint();
    let sent = 0;
    await Promise.all(
      Array.from({ length: concurrent }, async () => {
        while (sent < total) {
          sent++;
          await post(`${gateway.url}/predict`, SETOSA)();
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    console.log(`throughput via Kafka, ${concurrent} concurrent clients, one worker: ${(total / seconds).toFixed(0)} requests/s`);
    direct.close();
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    if (startedKafka) execFileSync('bash', [join(REPO_ROOT, 'scripts/infra/kafka.sh'), 'down'], { stdio: 'inherit' });
  }
}

/** The same parameters as the bootstrap model v1 the services serve. */
function irisModelParams() {
  return trainModel(irisDataset(), { testSize: 0.2, randomState: 42, varSmoothing: 1e-9 }, { minAccuracy: 0, maxRegression: 1 }, null).params;
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
