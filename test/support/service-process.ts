import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ELASTICSEARCH_URL, KAFKA_BROKERS, ROOT } from './infra';

/** A built service started as its own OS process, as in production; logs in .infra/test/<name>.log. */
export class ServiceProcess {
  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static start(name: string, app: string, port: number, env: Record<string, string> = {}): ServiceProcess {
    const dir = join(ROOT, '.infra', 'test');
    mkdirSync(dir, { recursive: true });
    const log = createWriteStream(join(dir, `${name}.log`));
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', KAFKA_BROKERS, ELASTICSEARCH_URL, PORT: String(port), INSTANCE_ID: name, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    return new ServiceProcess(name, port, child);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited with ${this.child.exitCode}; see .infra/test/${this.name}.log`);
      try {
        if ((await fetch(`${this.url}/ready`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.name} not ready within ${timeoutMs} ms; see .infra/test/${this.name}.log`);
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
