import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { ROOT, type SuiteConfig } from './config';

/** Runs one of the project's scripts with the suite's environment; its output goes to the suite's log. */
export function runScript(config: SuiteConfig, script: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(ROOT, script), ...args], { cwd: ROOT, env: config.env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

export function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function servicePid(config: SuiteConfig, name: string): number | undefined {
  const pid = readPid(join(config.stackDir, `${name}.pid`));
  return alive(pid) ? pid : undefined;
}

export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(2000, () => socket.destroy());
    socket.once('connect', () => {
      resolve(true);
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

export async function ready(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2000) })).status === 200;
  } catch {
    return false;
  }
}

/** Services without a live process and a 200 from /ready after `timeoutMs`; empty when all are up. */
export async function servicesDown(config: SuiteConfig, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const down: string[] = [];
    for (const s of config.services) if (servicePid(config, s.name) === undefined || !(await ready(s.port))) down.push(s.name);
    if (down.length === 0 || Date.now() > deadline) return down;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface SupervisorRecord {
  message: string;
  service?: string;
  exit_code?: number | null;
  signal?: string | null;
  attempt?: number;
  delay_ms?: number;
}

/** The supervisor log's size now: later, restartsSince(offset) reads only what was logged after. */
export function supervisorLogOffset(config: SuiteConfig): number {
  const file = join(config.stackDir, 'supervisor.log');
  return existsSync(file) ? statSync(file).size : 0;
}

export function restartsSince(config: SuiteConfig, offset: number): SupervisorRecord[] {
  const file = join(config.stackDir, 'supervisor.log');
  if (!existsSync(file)) return [];
  return readFileSync(file)
    .subarray(offset)
    .toString()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as SupervisorRecord)
    .filter((r) => r.message === 'service exited; restarting');
}
