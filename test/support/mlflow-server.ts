import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './infra';

/** Made by scripts/tools/install-mlflow.sh (run by scripts/test-prereqs.sh). */
export const MLFLOW_VENV = join(ROOT, '.tools', 'mlflow-venv');

export interface MlflowCredentials {
  username: string;
  password: string;
}

/**
 * A real `mlflow server` from the pinned PyPI release, with its basic-auth app: a SQLite store
 * and an artifact root in a temporary directory, on MLFLOW_TEST_PORT or a free port. It can be
 * stopped and started again on the same port and data, as an outage the mirror must ride out.
 */
export class MlflowServer {
  private child: ChildProcess | null = null;
  private starts = 0;

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly admin: MlflowCredentials,
  ) {}

  static async create(): Promise<MlflowServer> {
    if (!existsSync(join(MLFLOW_VENV, 'bin', 'mlflow'))) throw new Error(`no MLflow in ${MLFLOW_VENV}: run bash scripts/tools/install-mlflow.sh`);
    const port = process.env.MLFLOW_TEST_PORT ? Number(process.env.MLFLOW_TEST_PORT) : await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-e2e-'));
    const admin = { username: 'admin', password: `admin-${Math.random().toString(36).slice(2)}` };
    writeFileSync(
      join(dir, 'basic_auth.ini'),
      [
        '[mlflow]',
        'default_permission = READ',
        `database_uri = sqlite:///${join(dir, 'basic_auth.db')}`,
        `admin_username = ${admin.username}`,
        'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
        // Password checks are PBKDF2 (hundreds of ms of CPU each): cached, a busy test machine still answers in time.
        'auth_cache_ttl_seconds = 600',
        '',
      ].join('\n'),
    );
    return new MlflowServer(port, dir, admin);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logFile(): string {
    return join(ROOT, '.infra', 'test', `mlflow-server-${this.port}.log`);
  }

  /** Starts the server (again) and resolves once /health answers. */
  async start(timeoutMs = 180_000): Promise<void> {
    const log = openSync(this.logFile, this.starts++ === 0 ? 'w' : 'a');
    this.child = spawn(
      join(MLFLOW_VENV, 'bin', 'mlflow'),
      [
        'server',
        '--app-name',
        'basic-auth',
        '--host',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--workers',
        '1',
        '--backend-store-uri',
        `sqlite:///${join(this.dir, 'mlflow.db')}`,
        '--artifacts-destination',
        join(this.dir, 'artifacts'),
      ],
      {
        cwd: this.dir,
        env: {
          ...process.env,
          MLFLOW_AUTH_CONFIG_PATH: join(this.dir, 'basic_auth.ini'),
          MLFLOW_AUTH_ADMIN_PASSWORD: this.admin.password,
          // The auth app's CSRF protection of its own forms needs a key; any fixed one does for a test.
          MLFLOW_FLASK_SERVER_SECRET_KEY: 'iris-e2e-csrf-key',
          // Its job runner (six huey processes for GenAI scoring jobs) is not what the mirror uses.
          MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
        },
        stdio: ['ignore', log, log],
        // Its own process group: uvicorn's worker goes down with it.
        detached: true,
      },
    );
    closeSync(log);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`mlflow server exited with ${this.child.exitCode}; see ${this.logFile}`);
      const ok = await fetch(`${this.url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`mlflow server not answering on ${this.url} within ${timeoutMs} ms; see ${this.logFile}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }

  /** SIGSTOP: the server keeps its port and accepts connections but answers nothing, as a hung MLflow does. */
  freeze(): void {
    process.kill(-this.child!.pid!, 'SIGSTOP');
  }

  thaw(): void {
    process.kill(-this.child!.pid!, 'SIGCONT');
  }

  /** Stops the server and deletes its data. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A call of MLflow's REST API (2.0) as the admin. */
  async api<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PATCH', endpoint: string, fields: Record<string, unknown> = {}): Promise<T> {
    const url = new URL(`${this.url}/api/2.0/mlflow/${endpoint}`);
    if (method === 'GET') for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, String(v));
    const auth = `Basic ${Buffer.from(`${this.admin.username}:${this.admin.password}`).toString('base64')}`;
    const send = () =>
      fetch(url, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : JSON.stringify(fields) });
    // uvicorn closes a kept-alive connection after 5 s idle; a request sent on it just then fails before reaching the server.
    const res = await send().catch(send);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${endpoint} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  /** The server's own log, for a failing test's message. */
  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
