import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RESTART_POLICY, nextAttempt, restartDelayMs, type RestartPolicy } from './restart-policy';
import type { ServiceSpec } from './stack-services';
import type { SupervisorLog } from './supervisor-log';

export interface SupervisedServiceOptions {
  root: string;
  /** Holds <name>.log (appended across restarts) and <name>.pid (the running child's pid). */
  stateDir: string;
  env: NodeJS.ProcessEnv;
  log: SupervisorLog;
  policy?: RestartPolicy;
}

/**
 * One service kept running like compose's `restart: unless-stopped`: whatever ends it (a
 * crash, a kill, a clean exit) it is started again after the policy's delay, until stop().
 */
export class SupervisedService {
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();
  private startedAt = 0;
  private starts = 0;
  /** Restarts in the current crash series; 0 before the first one. */
  private attempt = 0;
  private restartTimer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    readonly spec: ServiceSpec,
    private readonly options: SupervisedServiceOptions,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private get pidFile(): string {
    return join(this.options.stateDir, `${this.spec.name}.pid`);
  }

  start(): void {
    if (this.stopping) return;
    const { root, stateDir, env, log } = this.options;
    // The first start of a stack begins a fresh log; a restart appends, keeping the crash's last lines.
    const out = openSync(join(stateDir, `${this.spec.name}.log`), this.starts === 0 ? 'w' : 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...this.spec.nodeArgs, join(root, this.spec.entry)], {
        cwd: root,
        env: { ...env, ...this.spec.env },
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
    this.child = child;
    this.starts++;
    this.startedAt = Date.now();
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(this.onExit(child, code, signal))));
    // A spawn that fails (e.g. no entry file) still emits 'exit' with a code; 'error' must not go unhandled.
    child.once('error', (err) => log('error', 'could not start service', { service: this.spec.name, error: err.message }));
    if (child.pid !== undefined) writeFileSync(this.pidFile, `${child.pid}\n`);
    log('info', 'service started', { service: this.spec.name, pid: child.pid, port: this.spec.port, start: this.starts });
  }

  /** SIGTERM, then SIGKILL if the service has not exited after `timeoutMs`; no restart afterwards. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => {
      this.options.log('warn', 'service did not stop in time; killing it', { service: this.spec.name, pid: child.pid, timeout_ms: timeoutMs });
      child.kill('SIGKILL');
    }, timeoutMs);
    await this.exited;
    clearTimeout(killer);
  }

  /** Polls GET /ready until it answers 200; false after `timeoutMs` or once stopping. */
  async waitReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stopping && Date.now() < deadline) {
      try {
        if ((await fetch(`http://127.0.0.1:${this.spec.port}/ready`, { signal: AbortSignal.timeout(2000) })).status === 200) return true;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    rmSync(this.pidFile, { force: true });
    const fields = { service: this.spec.name, pid: child.pid, exit_code: code, signal };
    if (this.stopping) {
      this.options.log('info', 'service stopped', fields);
      return;
    }
    const uptimeMs = Date.now() - this.startedAt;
    const policy = this.options.policy ?? DEFAULT_RESTART_POLICY;
    this.attempt = nextAttempt(this.attempt, uptimeMs, policy);
    const delayMs = restartDelayMs(this.attempt, policy);
    this.options.log('warn', 'service exited; restarting', { ...fields, uptime_ms: uptimeMs, attempt: this.attempt, delay_ms: delayMs });
    this.restartTimer = setTimeout(() => this.start(), delayMs);
  }
}
