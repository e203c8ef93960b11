import type { CpuProfile } from './cpu-profile';
import type { HeapSamplingNode } from './heap-profile';

const INSPECTOR = 'http://127.0.0.1:9229';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Session {
  call(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): void;
}

async function connect(url: string): Promise<Session> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error(`inspector at ${url} refused the connection`)), { once: true });
  });
  let next = 0;
  const waiting = new Map<number, (result: Record<string, unknown>) => void>();
  ws.addEventListener('message', (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; result?: Record<string, unknown> };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result ?? {});
    if (msg.id !== undefined) waiting.delete(msg.id);
  });
  return {
    call: (method, params = {}) =>
      new Promise((resolve) => {
        const id = ++next;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

/**
 * Profiles a running Node process of ours while `during` runs: SIGUSR1 opens its inspector on
 * 127.0.0.1:9229 (one process at a time: the port is shared), V8's sampling profiler runs, and
 * the inspector is closed again after, so the next process can open it. V8's sampling heap
 * profiler runs beside it (one sample per 64 KiB allocated, objects both GCs collected included):
 * what the process allocated and where.
 */
export async function profileWhile<T>(pid: number, during: () => Promise<T>): Promise<{ result: T; profile: CpuProfile; heap: HeapSamplingNode }> {
  process.kill(pid, 'SIGUSR1');
  let targets: Array<{ webSocketDebuggerUrl: string }> = [];
  for (let i = 0; i < 50 && targets.length === 0; i++) {
    await sleep(100);
    targets = await fetch(`${INSPECTOR}/json/list`).then(
      (r) => r.json() as Promise<Array<{ webSocketDebuggerUrl: string }>>,
      () => [],
    );
  }
  if (targets.length === 0) throw new Error(`process ${pid} opened no inspector on ${INSPECTOR}`);
  const session = await connect(targets[0].webSocketDebuggerUrl);
  const pidOf = await session.call('Runtime.evaluate', { expression: 'process.pid', returnByValue: true });
  if ((pidOf.result as { value?: number } | undefined)?.value !== pid) {
    session.close();
    throw new Error(`the inspector on ${INSPECTOR} is not process ${pid}'s (another is open)`);
  }
  await session.call('Profiler.enable');
  await session.call('Profiler.setSamplingInterval', { interval: 500 });
  await session.call('Profiler.start');
  await session.call('HeapProfiler.startSampling', {
    samplingInterval: 65_536,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  try {
    const result = await during();
    const { profile } = (await session.call('Profiler.stop')) as { profile: CpuProfile };
    const { profile: heap } = (await session.call('HeapProfiler.stopSampling')) as { profile: { head: HeapSamplingNode } };
    return { result, profile, heap: heap.head };
  } finally {
    // Not awaited: closing the inspector ends this very session.
    void session.call('Runtime.evaluate', { expression: "process.getBuiltinModule('node:inspector').close()" });
    for (let i = 0; i < 50; i++) {
      await sleep(100);
      const open = await fetch(`${INSPECTOR}/json/list`).then(
        () => true,
        () => false,
      );
      if (!open) break;
    }
    session.close();
  }
}
