import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../scripts/lib/service-process';
import type { Cleanup } from './cleanup';
import { BENCH_LOGS, BENCH_STATE } from './processes';

const SOURCE = join(REPO_ROOT, 'bench', 'baseline');
const VENV = join(REPO_ROOT, '.tools', 'bench-venv');
const VENV_PYTHON = join(VENV, 'bin', 'python');
const STAMP = join(VENV, '.bench-requirements.sha256');

function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? REPO_ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * .tools/bench-venv from PyPI with bench/baseline/requirements.txt: made only when missing, and
 * reinstalled only when the requirements change (a checksum of them is kept in the venv).
 */
export async function ensureVenv(python: string): Promise<void> {
  const requirements = join(SOURCE, 'requirements.txt');
  const sum = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  if (existsSync(VENV_PYTHON) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === sum) return;
  if (!existsSync(VENV_PYTHON)) {
    console.log(`[bench] creating ${VENV} with ${python} (the baseline's FastAPI + scikit-learn, from PyPI)`);
    await run(python, ['-m', 'venv', VENV]);
  }
  console.log('[bench] installing bench/baseline/requirements.txt into .tools/bench-venv');
  await run(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(STAMP, sum + '\n');
}

export interface Baseline {
  pid: number;
  url: string;
  logFile: string;
}

/**
 * Trains the seed's model, then serves it with uvicorn, access log off (the app writes its own):
 * one worker as the seed ships, or `workers` processes (uvicorn's supervisor forks them; their CPU
 * shows as the machine's, not the supervisor's).
 */
export async function startBaseline(port: number, cleanup: Cleanup, workers = 1): Promise<Baseline> {
  const name = workers === 1 ? 'baseline' : `baseline-${workers}w`;
  const dir = join(BENCH_STATE, name);
  mkdirSync(dir, { recursive: true });
  mkdirSync(BENCH_LOGS, { recursive: true });
  const model = join(dir, 'model.pkl');
  const logFile = join(dir, 'prediction.log');
  await run(VENV_PYTHON, [join(SOURCE, 'train.py'), model]);
  const out = openSync(join(BENCH_LOGS, `${name}.log`), 'w');
  const child: ChildProcess = spawn(
    VENV_PYTHON,
    ['-m', 'uvicorn', 'app:app', '--host', '127.0.0.1', '--port', String(port), '--workers', String(workers), '--log-level', 'warning', '--no-access-log'],
    { cwd: SOURCE, env: { ...process.env, BASELINE_MODEL: model, BASELINE_LOG_FILE: logFile }, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  cleanup.add(name, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the baseline exited with ${child.exitCode}; see .infra/bench/logs/${name}.log`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) return { pid: child.pid!, url, logFile };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the baseline did not answer /health within 60 s; see .infra/bench/logs/${name}.log`);
}
