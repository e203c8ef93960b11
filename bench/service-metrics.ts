/**
 * What the bench reads off the services' own /metrics pages: the records and bytes published per
 * topic (events_published_total, event_published_bytes_total), read before and after a measured
 * load and divided by the predictions it answered; and what a process's memory is made of.
 */
export type TopicTotals = Record<string, { records: number; bytes: number }>;

const SAMPLE = /^(events_published_total|event_published_bytes_total)\{topic="([^"]+)"\} ([0-9.e+]+)$/;

/** The published records and bytes per topic in one /metrics page. */
export function parsePublished(metricsText: string): TopicTotals {
  const totals: TopicTotals = {};
  for (const line of metricsText.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const t = (totals[m[2]] ??= { records: 0, bytes: 0 });
    if (m[1] === 'events_published_total') t.records += Number(m[3]);
    else t.bytes += Number(m[3]);
  }
  return totals;
}

/** The sum over several services' /metrics pages. */
export async function scrapePublished(metricsUrls: readonly string[]): Promise<TopicTotals> {
  const sum: TopicTotals = {};
  for (const url of metricsUrls) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    for (const [topic, t] of Object.entries(parsePublished(await res.text()))) {
      const s = (sum[topic] ??= { records: 0, bytes: 0 });
      s.records += t.records;
      s.bytes += t.bytes;
    }
  }
  return sum;
}

export interface TopicCost {
  topic: string;
  records_per_prediction: number;
  bytes_per_prediction: number;
  bytes_per_record: number;
}

/** What each topic carried per answered prediction between two scrapes, largest first. */
export function perPrediction(before: TopicTotals, after: TopicTotals, predictions: number): TopicCost[] {
  const n = Math.max(predictions, 1);
  return Object.entries(after)
    .map(([topic, a]) => {
      const records = a.records - (before[topic]?.records ?? 0);
      const bytes = a.bytes - (before[topic]?.bytes ?? 0);
      return {
        topic,
        records_per_prediction: Math.round((records / n) * 1000) / 1000,
        bytes_per_prediction: Math.round(bytes / n),
        bytes_per_record: records > 0 ? Math.round(bytes / records) : 0,
      };
    })
    .filter((c) => c.bytes_per_prediction > 0 || c.records_per_prediction > 0)
    .sort((x, y) => y.bytes_per_prediction - x.bytes_per_prediction);
}

/** One process's memory as its /metrics page shows it, in MB. */
export interface MemoryBreakdown {
  rss: number;
  /** V8's heap as reserved, per space (new, old, code, large_object, ...): what it holds, used or not. */
  heap_total: number;
  heap_used: number;
  heap_spaces: Record<string, number>;
  /** Buffers and other memory V8 objects hold outside the heap. */
  external: number;
  /** RSS that is neither heap nor external: the binary, compiled code, malloc arenas, thread stacks. */
  other: number;
}

const MB = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export function parseMemory(metricsText: string): MemoryBreakdown {
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(metricsText)?.[1] ?? NaN);
  const spaces: Record<string, number> = {};
  for (const m of metricsText.matchAll(/^nodejs_heap_space_size_total_bytes\{space="([a-z_]+)"\} ([0-9.e+]+)$/gm)) spaces[m[1]] = MB(Number(m[2]));
  const [rss, total, used, external] = [
    'process_resident_memory_bytes',
    'nodejs_heap_size_total_bytes',
    'nodejs_heap_size_used_bytes',
    'nodejs_external_memory_bytes',
  ].map(value);
  if ([rss, total, used, external].some(Number.isNaN)) throw new Error('the /metrics page lacks the process and heap metrics');
  return { rss: MB(rss), heap_total: MB(total), heap_used: MB(used), heap_spaces: spaces, external: MB(external), other: MB(rss - total - external) };
}
