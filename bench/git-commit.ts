import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../scripts/lib/service-process';

/** The code a bench result was measured on: the short commit, `+changes` when tracked files differ from it. */
export function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT }).toString().trim() !== '';
    return dirty ? `${sha}+changes` : sha;
  } catch {
    return 'unknown';
  }
}
