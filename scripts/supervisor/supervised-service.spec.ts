import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SupervisedService } from './supervised-service';

type Line = Record<string, unknown>;

async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SupervisedService (real child processes)', () => {
  let dir: string;
  let lines: Line[];
  const service = (script: string, source: string) => {
    writeFileSync(join(dir, script), source);
    return new SupervisedService(
      { name: 'svc', entry: script, nodeArgs: [], port: 0, env: {}, waitReady: false },
      {
        root: dir,
        stateDir: dir,
        env: process.env,
        log: (level, message, fields) => lines.push({ level, message, ...fields }),
        policy: { initialDelayMs: 50, maxDelayMs: 100, resetAfterMs: 10_000 },
      },
    );
  };
  const restarts = () => lines.filter((l) => l.message === 'service exited; restarting');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    lines = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('restarts a service that keeps exiting, with growing delays, one log line per restart, appending to its log', async () => {
    const svc = service('crash.js', "console.log('run'); process.exit(3);");
    svc.start();
    await until(() => restarts().length >= 3);
    await svc.stop(1000);
    expect(
      restarts()
        .slice(0, 3)
        .map(({ service, exit_code, signal, attempt, delay_ms }) => ({ service, exit_code, signal, attempt, delay_ms })),
    ).toEqual([
      { service: 'svc', exit_code: 3, signal: null, attempt: 1, delay_ms: 50 },
      { service: 'svc', exit_code: 3, signal: null, attempt: 2, delay_ms: 100 },
      { service: 'svc', exit_code: 3, signal: null, attempt: 3, delay_ms: 100 },
    ]);
    const logged = readFileSync(join(dir, 'svc.log'), 'utf8').split('\n').filter(Boolean);
    expect(logged.length).toBeGreaterThanOrEqual(3);
    expect(new Set(logged)).toEqual(new Set(['run']));
  });

  it('restarts a service killed with SIGKILL and writes the new pid', async () => {
    const svc = service('idle.js', 'setInterval(() => undefined, 1000);');
    svc.start();
    const first = svc.pid!;
    expect(readFileSync(join(dir, 'svc.pid'), 'utf8')).toBe(`${first}\n`);
    process.kill(first, 'SIGKILL');
    await until(() => svc.pid !== first && existsSync(join(dir, 'svc.pid')));
    expect(restarts().map(({ signal, exit_code, attempt }) => ({ signal, exit_code, attempt }))).toEqual([{ signal: 'SIGKILL', exit_code: null, attempt: 1 }]);
    expect(readFileSync(join(dir, 'svc.pid'), 'utf8')).toBe(`${svc.pid}\n`);
    await svc.stop(1000);
  });

  it('stops with SIGTERM, kills a service that ignores it after the timeout, and does not restart it', async () => {
    const svc = service('stubborn.js', "process.on('SIGTERM', () => console.log('ignored')); setInterval(() => undefined, 1000); console.log('up');");
    svc.start();
    await until(() => readFileSync(join(dir, 'svc.log'), 'utf8').includes('up'));
    await svc.stop(300);
    await new Promise((r) => setTimeout(r, 200));
    expect(lines.map((l) => l.message)).toEqual(['service started', 'service did not stop in time; killing it', 'service stopped']);
    expect(lines[2]).toMatchObject({ signal: 'SIGKILL', exit_code: null });
    expect(readFileSync(join(dir, 'svc.log'), 'utf8')).toBe('up\nignored\n');
    expect(existsSync(join(dir, 'svc.pid'))).toBe(false);
  });
});
