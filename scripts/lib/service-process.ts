import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nodeFlags } from './node-flags';

/** The repository root, from source (scripts/lib) or from the build (dist/scripts/lib). */
export const REPO_ROOT = (() => {
  let dir = __dirname;
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.build.json')))) {
    if (dir === dirname(dir)) throw new Error(`no repository root above ${__dirname}`);
    dir = dirname(dir);
  }
  return dir;
})();

/** A built service started as its own OS process, as in production; logs in `<logDir>/<name>.log`. */
export class ServiceProcess {
  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly logFile: string,
  ) {}

  static start(name: string, app: string, port: number, env: Record<string, string>, logDir = join(REPO_ROOT, '.infra', 'test')): ServiceProcess {
    mkdirSync(logDir, { recursive: true });
    const logFile = join(logDir, `${name}.log`);
    // The child writes its log file itself: Node writes to a pipe synchronously on Linux, so a
    // parent busy elsewhere (a load generator) would stall a service that logs through it.
    const log = openSync(logFile, 'w');
    const child = spawn(process.execPath, [...nodeFlags(app), join(REPO_ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: '', PORT: String(port), INSTANCE_ID: name, ...env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    return new ServiceProcess(name, port, child, logFile);
  }

  /** The OS process id (the node process itself: it is spawned directly, not through a shell). */
  get pid(): number {
    return this.child.pid!;
  }

  /** The process has not exited (nor been killed). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Ready means: /ready answers 200 on the port *and* the socket listening on that port belongs to
   * this child. A 200 alone proves nothing: a service left over from an earlier run (or another
   * checkout) on the same port answers it too, and this child then dies on EADDRINUSE unnoticed.
   * So as soon as anything answers, the listener's owner is checked, and a stranger fails the
   * start at once, naming the port and the process holding it.
   */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(this.exitMessage());
      let status: number | undefined;
      try {
        status = (await fetch(`${this.url}/ready`)).status;
      } catch {
        // not listening yet
      }
      if (status !== undefined) {
        const owner = listenerOwner(this.port, this.child.pid!);
        if (owner.kind === 'other') {
          this.child.kill('SIGKILL');
          throw new Error(
            `port ${this.port} is held by another process (${owner.holders}), not ${this.name} (pid ${this.child.pid}): ` +
              `a service left over from an earlier run? Stop it, or move this suite with E2E_PORT_BASE`,
          );
        }
        if (status === 200 && owner.kind !== 'none' && this.child.exitCode === null) return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.name} not ready within ${timeoutMs} ms; see ${this.logFile}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private exitMessage(): string {
    const how = this.child.exitCode !== null ? `exited with ${this.child.exitCode}` : `was killed by ${this.child.signalCode}`;
    const log = existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
    const busy = /EADDRINUSE/.test(log) ? `: port ${this.port} is already in use by another process` : '';
    return `${this.name} ${how}${busy}; see ${this.logFile}`;
  }
}

type ListenerOwner = { kind: 'child' } | { kind: 'other'; holders: string } | { kind: 'none' } | { kind: 'unknown' };

/**
 * Who holds the TCP listening socket(s) on `port`. On Linux from /proc: the LISTEN sockets' inodes
 * in /proc/net/tcp{,6} against the socket links in /proc/<pid>/fd, exact and without extra tools.
 * Elsewhere from `lsof`; 'unknown' when neither is available (then a live child is trusted).
 */
function listenerOwner(port: number, pid: number): ListenerOwner {
  if (existsSync('/proc/net/tcp')) {
    const inodes = listeningInodes(port);
    if (inodes.size === 0) return { kind: 'none' };
    const mine = socketInodes(pid);
    if ([...inodes].every((i) => mine.has(i))) return { kind: 'child' };
    return { kind: 'other', holders: describeHolders(inodes) };
  }
  let pids: number[];
  try {
    pids = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch (err) {
    // lsof exits 1 when nothing listens; a missing lsof leaves us unable to tell.
    return (err as { status?: number }).status === 1 ? { kind: 'none' } : { kind: 'unknown' };
  }
  if (pids.length === 0) return { kind: 'none' };
  return pids.every((p) => p === pid)
    ? { kind: 'child' }
    : {
        kind: 'other',
        holders: pids
          .filter((p) => p !== pid)
          .map((p) => `pid ${p}`)
          .join(', '),
      };
}

function listeningInodes(port: number): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local_address rem_address st ... inode (10th); st 0A is LISTEN.
      if (cols.length > 9 && cols[3] === '0A' && cols[1].endsWith(`:${hexPort}`)) inodes.add(cols[9]);
    }
  }
  return inodes;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes; // gone, or not ours to read
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** Best effort, for the error message: the processes whose descriptors hold these sockets. */
function describeHolders(inodes: Set<string>): string {
  const holders: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const held = socketInodes(Number(entry));
    if (![...inodes].some((i) => held.has(i))) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 160);
    } catch {
      // exited meanwhile
    }
    holders.push(`pid ${entry}${cmd ? `: ${cmd}` : ''}`);
  }
  return holders.length > 0 ? holders.join('; ') : 'a process this user cannot inspect';
}
