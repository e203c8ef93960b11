import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');

// scripts/test-prereqs.sh installs scikit-learn into this venv when the system Python lacks it.
const VENV_PYTHON = join(REPO_ROOT, '.tools', 'venv', 'bin', 'python');
export const PYTHON = existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3';

/**
 * Runs a Python reference (a script under the repository, with arguments) and returns what it
 * printed on stdout. Deliberately never skips when scikit-learn is missing: a silently skipped
 * reference check proves nothing.
 */
export function runPython(args: readonly string[], input?: string): string {
  const run = spawnSync(PYTHON, args, { input, encoding: 'utf8', cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw new Error(`could not run ${PYTHON} (${run.error.message}); this check needs python3 with scikit-learn (bash scripts/test-prereqs.sh)`);
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed (exit ${run.status}): ${run.stderr.trim()}`);
  return run.stdout;
}

/** A reference script that reads JSON on stdin and answers JSON on stdout. */
export function runPythonJson<T>(script: string, request: unknown): T {
  return JSON.parse(runPython([join(REPO_ROOT, script)], JSON.stringify(request))) as T;
}
