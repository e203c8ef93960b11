import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteConfig } from './config';
import type { ScoringParams } from '../support/reference-scoring';
import { settledPredictionCounts } from './es-check';
import { sleep } from './faults';
import { trafficBetween, trafficSnapshot } from './kafka-check';
import { Load, type RequestRecord } from './load';
import type { ScenarioResult } from './report';
import type { FaultWindow, Scenario } from './scenarios';
import { restartsSince, servicesDown, supervisorLogOffset } from './stack';
import {
  classify,
  crossedAnswers,
  droppedInFlight,
  effectEvidence,
  failedOver,
  inFlightAt,
  judge,
  okLatency,
  recoverySeconds,
  repeatedClientIds,
  rescoredRequests,
  servedDuring,
  tally,
  type Findings,
} from './verdict';

export interface RunOptions {
  clients: number;
  pauseMs: number;
  /** Steady load before the fault. */
  warmupMs: number;
  /** Load kept up after the fault ended: the 15 s recovery limit plus a tail that shows it held. */
  observeMs: number;
  /** Where each scenario's request records go (one JSON line per request). */
  outDir: string;
}

/** Waits until every service is up and a prediction succeeds, so a scenario starts from a healthy stack. */
async function healthy(config: SuiteConfig): Promise<string | undefined> {
  const down = await servicesDown(config, 90_000);
  if (down.length > 0) return `not up before the fault: ${down.join(', ')}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${config.gatewayUrl}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }),
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined);
    if (res?.status === 200) return undefined;
    await sleep(500);
  }
  return 'no successful prediction before the fault';
}

/** The registered parameters of every version the 2xx answers name (GET /models/{version}). */
async function paramsOfAnswers(config: SuiteConfig, records: RequestRecord[]): Promise<Map<number, ScoringParams>> {
  const versions = [...new Set(records.flatMap((r) => (r.modelVersion === undefined ? [] : [r.modelVersion])))];
  const params = new Map<number, ScoringParams>();
  for (const v of versions) {
    const res = await fetch(`${config.gatewayUrl}/models/${v}`, { signal: AbortSignal.timeout(10_000) });
    if (res.ok) params.set(v, ((await res.json()) as { params: ScoringParams }).params);
  }
  return params;
}

export async function runScenario(config: SuiteConfig, scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const result = (partial: Partial<ScenarioResult>): ScenarioResult => ({
    id: scenario.id,
    title: scenario.title,
    requests: 0,
    ok: 0,
    failed: 0,
    connectionErrors: 0,
    other: 0,
    crossed: 0,
    missing: 0,
    duplicates: 0,
    rescored: 0,
    restarts: '',
    recoverySeconds: null,
    seconds: (Date.now() - started) / 1000,
    passed: false,
    reasons: [],
    notes: [],
    ...partial,
  });
  const unhealthy = await healthy(config);
  if (unhealthy) return result({ reasons: [unhealthy] });

  const prepared = scenario.prepare?.(config);
  const logOffset = supervisorLogOffset(config);
  const trafficBefore = await trafficSnapshot(config.kafkaBroker);
  const load = new Load(config.gatewayUrl, {
    clients: options.clients,
    pauseMs: options.pauseMs,
    timeoutMs: 15_000,
    tag: `f${scenario.id}-${randomBytes(4).toString('hex')}`,
  });
  await sleep(options.warmupMs);
  let window: FaultWindow & { state?: unknown };
  try {
    window = await scenario.inject(config, load, prepared);
  } catch (err) {
    await load.stop();
    return result({ reasons: [`could not inject the fault: ${(err as Error).message}`] });
  }
  await sleep(options.observeMs);
  const records = await load.stop();
  writeFileSync(join(options.outDir, `${scenario.id}-requests.jsonl`), records.map((r) => JSON.stringify(r)).join('\n') + '\n');

  const down = await servicesDown(config, 30_000);
  const verified = scenario.verify ? await scenario.verify(config, window.state) : { problems: [] };
  const ok = records.filter((r) => classify(r) === 'ok');
  const counts = await settledPredictionCounts(
    config.elasticsearchUrl,
    config.predictionIndices,
    { answered: ok.map((r) => r.clientRequestId), sent: records.map((r) => r.clientRequestId) },
    120_000,
  );
  const traffic = await trafficBetween(config.kafkaBroker, trafficBefore);
  const rescored = rescoredRequests(traffic, new Set(records.flatMap((r) => (r.requestId ? [r.requestId] : []))));
  const stoppedWorker = scenario.restarted?.service.startsWith('inference-worker-') ? scenario.restarted.service : undefined;
  const answers = crossedAnswers(records, await paramsOfAnswers(config, records));

  const restarts = restartsSince(config, logOffset);
  const problems = [...verified.problems];
  if (scenario.restarted) {
    const { service, graceful } = scenario.restarted;
    const logged = restarts.some((r) => r.service === service && (graceful ? r.exit_code === 0 : r.signal === 'SIGKILL'));
    if (!logged) problems.push(`the supervisor logged no restart of ${service} after ${graceful ? 'its graceful exit' : 'SIGKILL'}`);
  }
  const repeated = repeatedClientIds(records);
  if (repeated.length > 0) problems.push(`the load sent ${repeated.length} X-Request-Id(s) more than once, e.g. ${repeated[0]}`);
  if (answers.indistinguishable.length > 0)
    problems.push(`the load's inputs cannot all be told apart, so a crossed answer could go unseen: ${answers.indistinguishable.slice(0, 3).join('; ')}`);
  const t = tally(records);
  const recovery = recoverySeconds(records, window.endedAt);
  const findings: Findings = {
    tally: t,
    droppedInFlight: droppedInFlight(records, window.startedAt),
    inFlight: inFlightAt(records, window.startedAt),
    crossed: answers.wrong,
    missing: counts.missing.length,
    duplicates: counts.duplicates.length,
    rescored,
    failedOver: stoppedWorker ? failedOver(traffic, stoppedWorker, window) : 0,
    servedDuring: servedDuring(records, window),
    recoverySeconds: recovery,
    servicesDown: down,
    problems,
  };
  const reasons = judge(findings, scenario.expect);
  const notes = [
    `fault effect: ${effectEvidence(findings, scenario.expect.effect)}; ${answers.checked} 2xx answers checked against their own inputs`,
    ...(window.note ? [window.note] : []),
    ...(verified.note ? [verified.note] : []),
    `fault ${((window.endedAt - window.startedAt) / 1000).toFixed(1)} s; indexed in full ${counts.settleSeconds.toFixed(1)} s after the load stopped`,
  ];
  const latency = okLatency(records, window.startedAt);
  if (latency) notes.push(`2xx latency from the fault on: p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms`);
  if (counts.missing.length > 0) notes.push(`missing e.g. ${counts.missing.slice(0, 3).join(', ')}`);
  if (counts.duplicates.length > 0)
    notes.push(
      `duplicated e.g. ${counts.duplicates
        .slice(0, 3)
        .map((d) => `${d.clientRequestId}×${d.documents}`)
        .join(', ')}`,
    );
  return result({
    requests: t.requests,
    ok: t.ok,
    failed: t.failed,
    connectionErrors: t.refused + t.reset,
    other: t.other,
    crossed: answers.wrong.length,
    missing: counts.missing.length,
    duplicates: counts.duplicates.length,
    rescored,
    restarts: restarts.map((r) => `${r.service}(${r.signal ?? `exit ${r.exit_code}`})`).join(' '),
    recoverySeconds: recovery,
    passed: reasons.length === 0,
    reasons,
    notes,
  });
}
