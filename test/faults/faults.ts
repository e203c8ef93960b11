import type { SuiteConfig } from './config';
import { alive, listening, readPid, runScript, servicePid } from './stack';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every 10 ms until it holds; throws naming `what` after the timeout. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not ${what} within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} still running ${timeoutMs} ms after the signal`);
    await sleep(50);
  }
}

export function runningPid(config: SuiteConfig, name: string): number {
  const pid = servicePid(config, name);
  if (pid === undefined) throw new Error(`${name} is not running`);
  return pid;
}

/** Signals a supervised service; for SIGKILL and SIGTERM, resolves once that process is gone. */
export async function signalService(config: SuiteConfig, name: string, signal: NodeJS.Signals): Promise<number> {
  const pid = runningPid(config, name);
  process.kill(pid, signal);
  if (signal === 'SIGKILL' || signal === 'SIGTERM') await waitGone(pid, 30_000);
  return pid;
}

/** Holds the processes (SIGSTOP) while `during` runs; always resumes them, even if the suite is interrupted. */
export async function whileFrozen<T>(pids: number[], during: () => Promise<T>): Promise<T> {
  const thaw = () => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGCONT');
  };
  process.once('exit', thaw);
  try {
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    return await during();
  } finally {
    thaw();
    process.removeListener('exit', thaw);
  }
}

/** The broker kafka.sh started for this checkout; the suite never signals one it did not start. */
function brokerPid(config: SuiteConfig): number {
  const pid = readPid(config.kafkaPidFile);
  if (!alive(pid)) throw new Error(`no broker started by scripts/infra/kafka.sh is running (${config.kafkaPidFile})`);
  return pid!;
}

export async function killBroker(config: SuiteConfig): Promise<void> {
  const pid = brokerPid(config);
  process.kill(pid, 'SIGKILL');
  await waitGone(pid, 10_000);
}

export async function startBroker(config: SuiteConfig): Promise<void> {
  await runScript(config, 'scripts/infra/kafka.sh', 'up');
}

/** A hung broker, not a dead one: connections open, nothing answers. */
export async function freezeBroker(config: SuiteConfig, ms: number): Promise<void> {
  await whileFrozen([brokerPid(config)], () => sleep(ms));
}

export async function stopElasticsearch(config: SuiteConfig): Promise<void> {
  await runScript(config, 'scripts/infra/elasticsearch.sh', 'down');
  if (await listening(Number(config.env.ES_PORT))) throw new Error(`Elasticsearch still answers on ${config.env.ES_PORT} after elasticsearch.sh down`);
}

export async function startElasticsearch(config: SuiteConfig): Promise<void> {
  await runScript(config, 'scripts/infra/elasticsearch.sh', 'up');
}
