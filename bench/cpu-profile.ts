/**
 * Where a Node process's CPU goes, from a V8 CPU profile (the `.cpuprofile` the inspector's
 * Profiler.stop returns): the share of its busy samples per category of code.
 */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  samples: number[];
}

/** Categories in the order they are tried: the first whose test matches a frame's url or name wins. */
const CATEGORIES: Array<[string, (url: string, fn: string) => boolean]> = [
  ['garbage collection', (_u, f) => f === '(garbage collector)'],
  ['kafkajs', (u) => u.includes('/node_modules/kafkajs/')],
  [
    'express, body parsing, helmet',
    (u) => /\/node_modules\/(express|router|body-parser|raw-body|finalhandler|on-finished|type-is|content-type|iconv-lite|qs|path-to-regexp|helmet)\//.test(u),
  ],
  ['nest', (u) => /\/node_modules\/(@nestjs|reflect-metadata|rxjs|@nestjs\/throttler)\//.test(u) || u.includes('throttler')],
  ['zod (validation)', (u) => u.includes('/node_modules/zod/')],
  ['prom-client (metrics)', (u) => u.includes('/node_modules/prom-client/')],
  ['our logging, metrics, tracing', (u) => u.includes('/libs/observability/')],
  ['our messaging and contracts', (u) => /\/libs\/(messaging|contracts)\//.test(u)],
  ['our other code', (u) => /\/(apps|libs)\//.test(u)],
  ['node: http, net, streams, buffers', (u, f) => u.startsWith('node:') || ['writeBuffer', 'writeUtf8String', 'writev', 'utf8Slice'].includes(f)],
  ['V8 and native (program)', (_u, f) => f === '(program)' || f === 'runMicrotasks'],
];

export interface ProfileShare {
  category: string;
  /** Share of the busy (non-idle) samples, 0..1. */
  share: number;
}

export function summarizeProfile(profile: CpuProfile): { busy_samples: number; idle_share: number; categories: ProfileShare[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const counts = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const id of profile.samples) {
    const frame = byId.get(id);
    if (!frame || frame.functionName === '(idle)') {
      idle++;
      continue;
    }
    busy++;
    const category = categoryOf(frame);
    counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  const categories = [...counts]
    .map(([category, n]) => ({ category, share: busy > 0 ? n / busy : 0 }))
    .sort((a, b) => b.share - a.share || a.category.localeCompare(b.category));
  const total = busy + idle;
  return { busy_samples: busy, idle_share: total > 0 ? idle / total : 0, categories };
}

/** The category a frame's code belongs to ('other' when none matches). */
export function categoryOf(frame: { functionName: string; url: string }): string {
  return CATEGORIES.find(([, test]) => test(frame.url, frame.functionName))?.[0] ?? 'other';
}
