import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './infra';

export const PROMETHEUS = join(ROOT, '.tools/bin/prometheus');

export interface ScrapeTarget {
  job: string;
  port: number;
}

/** An answer of Prometheus' HTTP API (/api/v1/…). */
export interface ApiAnswer<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

export interface Series {
  metric: Record<string, string>;
}

/**
 * The Prometheus that scripts/tools/install-prometheus.sh builds, run as a process of the test:
 * it scrapes the given services every second and evaluates the given rule files. Its data and
 * log live under .infra/test/<name>, removed when it stops (the log stays).
 */
export class PrometheusServer {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dataDir: string,
    private readonly logFile: string,
  ) {}

  static start(name: string, port: number, targets: ScrapeTarget[], ruleFiles: string[]): PrometheusServer {
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: run scripts/tools/install-prometheus.sh (npm test runs it first)`);
    const dir = join(ROOT, '.infra', 'test', name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: targets.map((t) => ({ job_name: t.job, static_configs: [{ targets: [`127.0.0.1:${t.port}`] }] })),
    };
    // JSON is YAML: no serializer needed.
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
    const logFile = join(ROOT, '.infra', 'test', `${name}.log`);
    const log = openSync(logFile, 'w');
    const child = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    return new PrometheusServer(port, child, dir, logFile);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`prometheus exited with ${this.child.exitCode}: ${readFileSync(this.logFile, 'utf8').slice(-2000)}`);
      const ready = await fetch(`${this.url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`prometheus not ready on ${this.url} after ${timeoutMs} ms`);
  }

  async api<T>(path: string, params: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    const res = await fetch(`${this.url}/api/v1/${path}?${new URLSearchParams(params)}`);
    return (await res.json()) as ApiAnswer<T>;
  }

  /** An instant query, evaluated now. */
  query(expr: string): Promise<ApiAnswer<{ resultType: string; result: Series[] }>> {
    return this.api('query', { query: expr });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
