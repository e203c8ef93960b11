import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
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

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited with ${this.child.exitCode}; see ${this.logFile}`);
      try {
        if ((await fetch(`${this.url}/ready`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.name} not ready within ${timeoutMs} ms; see ${this.logFile}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
