import { join } from 'node:path';
import { ROOT, type SuiteConfig } from './config';
import { freezeBroker, killBroker, signalService, sleep, startBroker, startElasticsearch, stopElasticsearch } from './faults';
import { retrainUntilRunning, verifyRetrain, watchRegistry, writeCsvDataset } from './retrain-check';
import type { Expectations } from './verdict';

/** When the fault began and ended (a kill ends at once; an outage when the server answers again). */
export interface FaultWindow {
  startedAt: number;
  endedAt: number;
  note?: string;
}

export interface Scenario {
  id: string;
  title: string;
  expect: Expectations;
  /** The supervised service the fault ends: the supervisor must log its restart (killed, or exited 0 after a graceful stop). */
  restarted?: { service: string; graceful: boolean };
  inject: (config: SuiteConfig) => Promise<FaultWindow & { state?: unknown }>;
  /** Checks after the load stopped; returns problems (empty = fine) and a note for the report. */
  verify?: (config: SuiteConfig, state: unknown) => Promise<{ problems: string[]; note?: string }>;
}

const ON_PATH: Expectations = { connectionErrors: 'none', failures: 'allowed', rescored: 'allowed', maxRecoverySeconds: 15 };
const OFF_PATH: Expectations = { ...ON_PATH, failures: 'none' };

const instant = async (act: () => Promise<unknown>): Promise<FaultWindow> => {
  const startedAt = Date.now();
  await act();
  return { startedAt, endedAt: Date.now() };
};

export const SCENARIOS: Scenario[] = [
  {
    id: 'a',
    title: 'broker SIGKILL, restarted after 5 s',
    expect: ON_PATH,
    inject: async (config) => {
      const startedAt = Date.now();
      await killBroker(config);
      await sleep(5_000);
      await startBroker(config);
      return { startedAt, endedAt: Date.now(), note: `broker back after ${((Date.now() - startedAt) / 1000).toFixed(1)} s` };
    },
  },
  {
    id: 'b',
    title: 'broker SIGSTOP 15 s, then SIGCONT',
    expect: ON_PATH,
    inject: async (config) => {
      const startedAt = Date.now();
      await freezeBroker(config, 15_000);
      return { startedAt, endedAt: Date.now() };
    },
  },
  {
    id: 'c',
    title: 'Elasticsearch stopped 30 s',
    expect: OFF_PATH,
    inject: async (config) => {
      const startedAt = Date.now();
      await stopElasticsearch(config);
      await sleep(30_000);
      await startElasticsearch(config);
      return { startedAt, endedAt: Date.now(), note: `Elasticsearch back after ${((Date.now() - startedAt) / 1000).toFixed(1)} s` };
    },
  },
  {
    id: 'd',
    title: 'one of two workers SIGKILL',
    expect: ON_PATH,
    restarted: { service: 'inference-worker-1', graceful: false },
    inject: (config) => instant(() => signalService(config, 'inference-worker-1', 'SIGKILL')),
  },
  {
    id: 'e',
    title: 'monitor SIGKILL',
    expect: OFF_PATH,
    restarted: { service: 'monitor', graceful: false },
    inject: (config) => instant(() => signalService(config, 'monitor', 'SIGKILL')),
  },
  {
    id: 'f',
    title: 'gateway SIGKILL',
    expect: { ...ON_PATH, connectionErrors: 'any' },
    restarted: { service: 'gateway', graceful: false },
    inject: (config) => instant(() => signalService(config, 'gateway', 'SIGKILL')),
  },
  {
    id: 'g',
    title: 'trainer SIGKILL mid-retrain',
    expect: OFF_PATH,
    restarted: { service: 'trainer', graceful: false },
    inject: async (config) => {
      // 300,000 rows (8.7 MB): reading, fingerprinting and fitting take the trainer about 2.5 s, so the kill lands mid-run.
      const { jobId, running, versionsBefore } = await retrainUntilRunning(config, writeCsvDataset(join(ROOT, '.infra', 'faults'), 300_000));
      const window = await instant(() => signalService(config, 'trainer', 'SIGKILL'));
      const registry = watchRegistry(config);
      return {
        ...window,
        state: { jobId, versionsBefore, registry, running },
        note: running ? 'killed as the job started running' : undefined,
      };
    },
    verify: async (config, state) => {
      const { jobId, versionsBefore, registry, running } = state as {
        jobId: string;
        versionsBefore: number[];
        registry: ReturnType<typeof watchRegistry>;
        running: boolean;
      };
      const { problems, outcome } = await verifyRetrain(config, jobId, versionsBefore);
      const missed = running ? [] : ['the trainer never reported the job running within 15 s: the kill did not land mid-run'];
      return { problems: [...missed, ...(await registry.stop()), ...problems], note: outcome };
    },
  },
  {
    id: 'h',
    title: 'gateway SIGTERM (graceful)',
    // In-flight requests are answered (2xx, or 503 while draining); new ones find nothing listening until the restart.
    expect: { ...ON_PATH, connectionErrors: 'new' },
    restarted: { service: 'gateway', graceful: true },
    inject: (config) => instant(() => signalService(config, 'gateway', 'SIGTERM')),
  },
  {
    id: 'i',
    title: 'worker SIGTERM (graceful)',
    // The worker commits what it scored and leaves its group: nothing is scored twice.
    expect: { ...ON_PATH, rescored: 'none' },
    restarted: { service: 'inference-worker-2', graceful: true },
    inject: (config) => instant(() => signalService(config, 'inference-worker-2', 'SIGTERM')),
  },
];
