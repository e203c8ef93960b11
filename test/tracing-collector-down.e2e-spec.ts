import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, postJson as post } from './support/http';
import { ROOT } from './support/infra';
import { testPort } from './support/ports';

/**
 * Tracing on, every request sampled, and nothing listening where the spans go: exports fail in
 * the background, requests are answered as usual and the process keeps running (`npm start` as
 * users run it, a child process).
 */
describe('tracing with its collector down', () => {
  const port = testPort(150);
  const logFile = join(mkdtempSync(join(tmpdir(), 'tracing-down-')), 'embedded.log');
  let child: ChildProcess;

  beforeAll(async () => {
    const log = openSync(logFile, 'w');
    child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'embedded', 'src', 'main.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        PORT: String(port),
        GRPC_PORT: '0',
        EMBEDDED_DATA_DIR: mkdtempSync(join(tmpdir(), 'tracing-down-data-')),
        // Nothing listens there (an offset of this spec's block that it never opens).
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${testPort(151)}`,
        OTEL_TRACES_SAMPLER: 'always_on',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_EXPORTER_OTLP_TIMEOUT: '500',
      },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.status === 200 ? true : undefined),
      30_000,
      'the platform',
    );
  });
  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('answers every request and stays up while every export fails', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++)
      statuses.push((await post(`http://127.0.0.1:${port}/predict`, { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 })).status);
    // Several export attempts (every 100 ms, each given up after 500 ms) fail meanwhile.
    await new Promise((r) => setTimeout(r, 2_000));
    expect({ statuses: [...new Set(statuses)], running: child.exitCode === null, health: (await fetch(`http://127.0.0.1:${port}/health`)).status }).toEqual({
      statuses: [200],
      running: true,
      health: 200,
    });
    const started = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((l) => l.message === 'tracing on');
    expect(started).toMatchObject({ sampler: 'always_on', protocol: 'http/protobuf' });
  });
});
