import type { SuiteConfig } from './config';
import {
  freezeBroker,
  killBroker,
  runningPid,
  signalService,
  sleep,
  startBroker,
  startElasticsearch,
  stopElasticsearch,
  waitFor,
  waitGone,
  whileFrozen,
} from './faults';
import type { Load } from './load';
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
  /**
   * Work done before the load starts, and returned to inject: the load generator shares this
   * process's event loop, so a blocking step under load would hold its requests back (the gateway
   * then answers 408 to a request whose body never came).
   */
  prepare?: (config: SuiteConfig) => unknown;
  inject: (config: SuiteConfig, load: Load, prepared: unknown) => Promise<FaultWindow & { state?: unknown }>;
  /** Checks after the load stopped; returns problems (empty = fine) and a note for the report. */
  verify?: (config: SuiteConfig, state: unknown) => Promise<{ problems: string[]; note?: string }>;
}

const ON_PATH = { connectionErrors: 'none', failures: 'allowed', rescored: 'allowed', maxRecoverySeconds: 15 } as const;
const OFF_PATH = { ...ON_PATH, failures: 'none' } as const;

const instant = async (act: () => Promise<unknown>): Promise<FaultWindow> => {
  const startedAt = Date.now();
  await act();
  return { startedAt, endedAt: Date.now() };
};

export const SCENARIOS: Scenario[] = [
  {
    id: 'a',
    title: 'broker SIGKILL, restarted after 5 s',
    expect: { ...ON_PATH, effect: 'unavailable' },
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
    expect: { ...ON_PATH, effect: 'unavailable' },
    inject: async (config) => {
      const startedAt = Date.now();
      await freezeBroker(config, 15_000);
      return { startedAt, endedAt: Date.now() };
    },
  },
  {
    id: 'c',
    title: 'Elasticsearch stopped 30 s',
    expect: { ...OFF_PATH, effect: 'served-during' },
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
    expect: { ...ON_PATH, effect: 'failover' },
    restarted: { service: 'inference-worker-1', graceful: false },
    inject: (config) => instant(() => signalService(config, 'inference-worker-1', 'SIGKILL')),
  },
  {
    id: 'e',
    title: 'monitor SIGKILL',
    // The kill's effect is the supervisor's restart line, which the scenario requires.
    expect: { ...OFF_PATH, effect: 'checked-by-scenario' },
    restarted: { service: 'monitor', graceful: false },
    inject: (config) => instant(() => signalService(config, 'monitor', 'SIGKILL')),
  },
  {
    id: 'f',
    title: 'gateway SIGKILL',
    expect: { ...ON_PATH, connectionErrors: 'any', effect: 'connection-errors' },
    restarted: { service: 'gateway', graceful: false },
    inject: (config) => instant(() => signalService(config, 'gateway', 'SIGKILL')),
  },
  {
    id: 'g',
    title: 'trainer SIGKILL mid-retrain',
    // Its effect: the job was running at the kill and the supervisor restarted the trainer (verify and the restart check).
    expect: { ...OFF_PATH, effect: 'checked-by-scenario' },
    restarted: { service: 'trainer', graceful: false },
    // 300,000 rows (8.7 MB): reading, fingerprinting and fitting take the trainer about 2.5 s, so the kill lands mid-run.
    prepare: (config) => writeCsvDataset(config, 300_000),
    inject: async (config, _load, csvPath) => {
      const { jobId, running, versionsBefore } = await retrainUntilRunning(config, csvPath as string);
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
    title: 'gateway SIGTERM (graceful) while every client waits for its reply',
    // In-flight requests are answered (2xx, or 503 while draining); new ones find nothing listening until the restart.
    expect: { ...ON_PATH, connectionErrors: 'new', effect: 'in-flight' },
    restarted: { service: 'gateway', graceful: true },
    inject: async (config, load) => {
      // A request takes a few ms, so a signal at a random moment often finds none in flight. The
      // workers are held until every client's request is waiting for its reply, the signal comes
      // 300 ms later (the gateway has read them all by then), and the workers resume at once.
      const workers = config.services.filter((s) => s.name.startsWith('inference-worker-')).map((s) => runningPid(config, s.name));
      const { pid, startedAt } = await whileFrozen(workers, async () => {
        await waitFor(() => load.inFlight >= load.clients, 5_000, 'every client waiting for its reply');
        await sleep(300);
        const gateway = runningPid(config, 'gateway');
        const at = Date.now();
        process.kill(gateway, 'SIGTERM');
        return { pid: gateway, startedAt: at };
      });
      await waitGone(pid, 30_000);
      return { startedAt, endedAt: Date.now() };
    },
  },
  {
    id: 'i',
    title: 'worker SIGTERM (graceful)',
    // The worker commits what it scored and leaves its group: nothing is scored twice, its partitions' requests fail over.
    expect: { ...ON_PATH, rescored: 'none', effect: 'failover' },
    restarted: { service: 'inference-worker-2', graceful: true },
    inject: (config) => instant(() => signalService(config, 'inference-worker-2', 'SIGTERM')),
  },
];
