import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/infra';
import { documentation } from '../support/doc-claims';

interface Run {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  cpu_ms_per_request: number;
}
interface Comparison {
  ours: Run;
  baseline: Run;
  ratio_rps: number;
  baseline_2w: Run;
  ratio_rps_2w: number;
}
const latest = JSON.parse(readFileSync(join(ROOT, 'bench', 'results', 'latest.json'), 'utf8')) as {
  git_commit: string;
  closed_loop: Record<string, Comparison>;
  embedded: Comparison | null;
};

const HEADER = '| at 16 connections (closed loop) | req/s | p50 | p99 | CPU / prediction |';

/** The numbers of a table row after its label, in order ("2,156 (1.25×)" gives 2156 and 1.25), each with the decimals it shows. */
function numbersOf(row: string): Array<{ value: number; decimals: number }> {
  const cells = row.split('|').slice(2).join('|');
  return [...cells.matchAll(/\d[\d,]*(?:\.(\d+))?/g)].map((m) => ({ value: Number(m[0].replace(/,/g, '')), decimals: m[1]?.length ?? 0 }));
}

/** What each headline row must show, from the latest committed bench run, in the order the row shows it. */
function expectedRows(): Array<[string, number[]]> {
  const [c1, c16, c64, emb] = [latest.closed_loop['1'], latest.closed_loop['16'], latest.closed_loop['64'], latest.embedded!];
  const run = (r: Run) => [r.rps, r.p50_ms, r.p99_ms, r.cpu_ms_per_request];
  return [
    ['baseline as the seed ships', run(c16.baseline)],
    ['baseline on two cores', run(c16.baseline_2w)],
    ['Kafka path', [c16.ours.rps, c16.ratio_rps_2w, c16.ratio_rps, c16.ours.p50_ms, c16.ours.p99_ms, c16.ours.cpu_ms_per_request]],
    [
      'the same at sixty-four connections',
      [c64.ours.rps, c64.ratio_rps_2w, c64.baseline_2w.rps, c64.ours.p50_ms, c64.ours.p99_ms, c64.ours.cpu_ms_per_request],
    ],
    ['embedded', [emb.ours.rps, emb.ratio_rps, emb.baseline.rps, emb.ours.p50_ms, emb.ours.p99_ms, emb.ours.cpu_ms_per_request]],
    [
      'one connection',
      [
        c1.ours.rps,
        c1.baseline.rps,
        c1.ours.p50_ms,
        c1.baseline.p50_ms,
        c1.ours.p99_ms,
        c1.baseline.p99_ms,
        c1.ours.cpu_ms_per_request,
        c1.baseline.cpu_ms_per_request,
      ],
    ],
  ];
}

describe("the documentation's headline bench table", () => {
  const tables = documentation().flatMap(([path, text]) => {
    const lines = text.split('\n');
    const at = lines.indexOf(HEADER);
    if (at < 0) return [];
    const rows: string[] = [];
    for (let i = at + 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i]);
    return [{ path, rows }];
  });

  it('is shown somewhere', () => {
    expect(tables.length).toBeGreaterThan(0);
  });

  it(`shows the latest committed run (bench/results/latest.json, ${latest.git_commit}), each figure rounded as printed`, () => {
    const wrong = tables.flatMap(({ path, rows }) =>
      expectedRows().flatMap(([label, expected]) => {
        const row = rows.find((r) => r.split('|')[1].trim().startsWith(label));
        if (!row) return [`${path}: no row "${label}"`];
        const shown = numbersOf(row);
        const off = shown.length !== expected.length || shown.some((s, i) => Math.abs(s.value - expected[i]) > 0.5 * 10 ** -s.decimals + 1e-9);
        return off ? [`${path}: "${label}" shows ${shown.map((s) => s.value).join(', ')}; latest.json has ${expected.join(', ')}`] : [];
      }),
    );
    expect(wrong).toEqual([]);
  });
});

describe("docs/monitoring.md's tracing cost table", () => {
  const tracing = JSON.parse(readFileSync(join(ROOT, 'bench', 'results', 'tracing.json'), 'utf8')) as {
    rows: Array<{ variant: string; rps: number; p99_ms: number; cpu_ms_per_prediction: number; cpu_vs_off: number }>;
  };
  const page = readFileSync(join(ROOT, 'docs', 'monitoring.md'), 'utf8');
  const rows = page.split('\n').map((l) => l.trim());

  it.each(tracing.rows.map((r) => [r.variant, r] as const))('gives "%s" the figures of bench/results/tracing.json', (variant, r) => {
    const row = rows.find((l) => l.startsWith(`| ${variant} |`));
    expect(row).toBeDefined();
    const shown = numbersOf(row!);
    const expected = [r.rps, r.p99_ms, r.cpu_ms_per_prediction, r.cpu_vs_off];
    expect(shown).toHaveLength(expected.length);
    // Each figure as the table rounds it.
    shown.forEach((s, i) => expect(s.value).toBeCloseTo(expected[i], s.decimals === 0 ? -0.3 : s.decimals));
  });
});
