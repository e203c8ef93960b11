import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteConfig } from './config';
import { sleep } from './faults';
import { watchTopic } from './kafka-check';

const TRAINING_RUN_TOPIC = 'ml.training.run.v1';

const FINAL = new Set(['promoted', 'rejected', 'failed']);

/** Class centres and spreads close to the iris data, so a model trained on them passes or fails the gate on its merits. */
const SPECIES = [
  { species: 'setosa', mean: [5.0, 3.4, 1.46, 0.25], sd: [0.35, 0.38, 0.17, 0.1] },
  { species: 'versicolor', mean: [5.94, 2.77, 4.26, 1.33], sd: [0.52, 0.31, 0.47, 0.2] },
  { species: 'virginica', mean: [6.59, 2.97, 5.55, 2.03], sd: [0.64, 0.32, 0.55, 0.27] },
] as const;
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;

/** `rows` labelled flowers, the same for the same seed (a seeded generator and Box-Muller normals). */
function irisLikeRows(rows: number, seed: number): Array<Record<string, number | string>> {
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 1) / 4294967297;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return Array.from({ length: rows }, (_, i) => {
    const s = SPECIES[i % SPECIES.length];
    const row: Record<string, number | string> = {};
    FEATURES.forEach((f, j) => (row[f] = Math.max(0.1, Math.round((s.mean[j] + s.sd[j] * normal()) * 100) / 100)));
    row.species = s.species;
    return row;
  });
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return (await res.json()) as T;
}

/** Writes `rows` labelled flowers as a CSV file in the trainer's DATA_DIR; returns its path there, as a retrain request names it. */
export function writeCsvDataset(config: SuiteConfig, rows: number): string {
  const name = `retrain-${rows}.csv`;
  mkdirSync(config.env.DATA_DIR!, { recursive: true });
  const lines = irisLikeRows(rows, 7).map((r) => `${r.sepal_length},${r.sepal_width},${r.petal_length},${r.petal_width},${r.species}`);
  writeFileSync(join(config.env.DATA_DIR!, name), `sepal_length,sepal_width,petal_length,petal_width,species\n${lines.join('\n')}\n`);
  return name;
}

/**
 * Asks for a retrain on a CSV file and returns the moment the trainer reports it running, read
 * from the training-run topic itself (the gateway's view lags by a fetch).
 */
export async function retrainUntilRunning(config: SuiteConfig, csvPath: string): Promise<{ jobId: string; running: boolean; versionsBefore: number[] }> {
  const versionsBefore = (await getJson<ModelsView>(`${config.gatewayUrl}/models`)).models.map((m) => m.version);
  const watcher = await watchTopic(config.kafkaBroker, TRAINING_RUN_TOPIC, (e) => (e.payload as { status?: string } | undefined)?.status === 'running');
  try {
    const res = await fetch(`${config.gatewayUrl}/retrain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: { source: 'csv', path: csvPath }, reason: 'manual', random_state: Date.now() % 1000 }),
    });
    if (res.status !== 202) throw new Error(`POST /retrain answered ${res.status}: ${await res.text()}`);
    const { job_id: jobId } = (await res.json()) as { job_id: string };
    return { jobId, running: await watcher.seen(jobId, 15_000), versionsBefore };
  } finally {
    await watcher.close();
  }
}

export interface ModelsView {
  current_version: number | null;
  models: Array<{ version: number; status: string; job_id: string }>;
}

const currentVersions = (view: ModelsView) => view.models.filter((m) => m.status === 'current').map((m) => m.version);

/**
 * Watches GET /models from the kill on: at every moment exactly one version must be current,
 * also while the trainer restarts (a promotion is two registry records; a kill between them
 * must not show).
 */
export function watchRegistry(config: SuiteConfig): { stop: () => Promise<string[]> } {
  const started = Date.now();
  const problems: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const models = await getJson<ModelsView>(`${config.gatewayUrl}/models`).catch(() => undefined);
      const current = models ? currentVersions(models) : [];
      if (models && current.length !== 1 && problems.length === 0) {
        problems.push(
          `GET /models listed ${current.length} current versions (${current.join(', ') || 'none'}) ${((Date.now() - started) / 1000).toFixed(1)} s after the kill`,
        );
      }
      await sleep(250);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return problems;
    },
  };
}

export interface RetrainRun {
  status: string;
  model_version: number | null;
  outcome_reason?: string;
}

/**
 * What a finished retrain and the registry must show after the trainer was killed mid-run: the
 * job ran to a verdict (promoted or rejected: a job that failed did its work in milliseconds, so
 * the kill interrupted nothing); exactly one version is current; every version registered
 * meanwhile is the job's own (no other model sneaks in).
 */
export function retrainProblems(jobId: string, run: RetrainRun, models: ModelsView, versionsBefore: number[], waitedMs: number): string[] {
  const problems: string[] = [];
  if (!FINAL.has(run.status)) problems.push(`retrain job ${jobId} still '${run.status}' ${waitedMs / 1000} s after the trainer was killed`);
  if (run.status === 'failed') problems.push(`retrain job ${jobId} failed (${run.outcome_reason ?? 'no reason'}): the kill did not interrupt a training run`);
  const current = currentVersions(models);
  if (current.length !== 1) problems.push(`GET /models lists ${current.length} current versions (${current.join(', ') || 'none'})`);
  if (current.length === 1 && models.current_version !== current[0])
    problems.push(`current_version ${models.current_version} but version ${current[0]} has status current`);
  if (run.status === 'promoted' && models.current_version !== run.model_version) {
    problems.push(`job promoted version ${run.model_version} but the current version is ${models.current_version}`);
  }
  for (const m of models.models) {
    if (!versionsBefore.includes(m.version) && m.job_id !== jobId)
      problems.push(`version ${m.version} (${m.status}) was registered by job ${m.job_id}, not by the retrain`);
  }
  return problems;
}

/** After the trainer came back: retrainProblems, and every worker serves the current version. */
export async function verifyRetrain(
  config: SuiteConfig,
  jobId: string,
  versionsBefore: number[],
  timeoutMs = 60_000,
): Promise<{ problems: string[]; outcome: string }> {
  const deadline = Date.now() + timeoutMs;
  let run = await getJson<RetrainRun>(`${config.gatewayUrl}/retrain/${jobId}`);
  while (!FINAL.has(run.status) && Date.now() < deadline) {
    await sleep(500);
    run = await getJson(`${config.gatewayUrl}/retrain/${jobId}`);
  }
  const models = await getJson<ModelsView>(`${config.gatewayUrl}/models`);
  const problems = retrainProblems(jobId, run, models, versionsBefore, timeoutMs);
  const workers = config.services.filter((s) => s.name.startsWith('inference-worker-'));
  const serving = new Map<string, number | undefined>();
  const swapDeadline = Date.now() + 15_000;
  do {
    for (const w of workers) serving.set(w.name, await workerVersion(w.port));
    if ([...serving.values()].every((v) => v === models.current_version)) break;
    await sleep(500);
  } while (Date.now() < swapDeadline);
  for (const [name, v] of serving)
    if (v !== models.current_version) problems.push(`${name} serves version ${v ?? 'unknown'}, the registry's current is ${models.current_version}`);
  return { problems, outcome: `job ${run.status}${run.model_version ? ` (v${run.model_version})` : ''}, current v${models.current_version}` };
}

async function workerVersion(port: number): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    const match = /^model_current_version (\d+)$/m.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
