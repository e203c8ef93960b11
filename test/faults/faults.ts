import type { SuiteConfig } from './config';
import { alive, readPid, runScript, servicePid } from './stack';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} still running ${timeoutMs} ms after the signal`);
    await sleep(50);
  }
}

/** Signals a supervised service; for SIGKILL and SIGTERM, resolves once that process is gone. */
export async function signalService(config: SuiteConfig, name: string, signal: NodeJS.Signals): Promise<number> {
  const pid = servicePid(config, name);
  if (pid === undefined) throw new Error(`${name} is not running`);
  process.kill(pid, signal);
  if (signal === 'SIGKILL' || signal === 'SIGTERM') await waitGone(pid, 30_000);
  return pid;
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

/** A hung broker, not a dead one: connections open, nothing answers. Always thawed, even if the suite is interrupted. */
export async function freezeBroker(config: SuiteConfig, ms: number): Promise<void> {
  const pid = brokerPid(config);
  const thaw = () => process.kill(pid, 'SIGCONT');
  process.once('exit', thaw);
  process.kill(pid, 'SIGSTOP');
  try {
    await sleep(ms);
  } finally {
    thaw();
    process.removeListener('exit', thaw);
  }
}

export async function stopElasticsearch(config: SuiteConfig): Promise<void> {
  await runScript(config, 'scripts/infra/elasticsearch.sh', 'down');
}

export async function startElasticsearch(config: SuiteConfig): Promise<void> {
  await runScript(config, 'scripts/infra/elasticsearch.sh', 'up');
}
