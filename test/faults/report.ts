export interface ScenarioResult {
  id: string;
  title: string;
  requests: number;
  ok: number;
  failed: number;
  connectionErrors: number;
  other: number;
  /** 2xx answers that were not the scoring of their own input. */
  crossed: number;
  missing: number;
  duplicates: number;
  rescored: number;
  restarts: string;
  recoverySeconds: number | null;
  seconds: number;
  passed: boolean;
  reasons: string[];
  notes: string[];
}

const COLUMNS: Array<[string, (r: ScenarioResult) => string]> = [
  ['scenario', (r) => `${r.id} ${r.title}`],
  ['requests', (r) => String(r.requests)],
  ['2xx', (r) => String(r.ok)],
  ['503/504', (r) => String(r.failed)],
  ['conn err', (r) => String(r.connectionErrors)],
  ['other err', (r) => String(r.other)],
  ['crossed', (r) => String(r.crossed)],
  ['missing', (r) => String(r.missing)],
  ['duplicates', (r) => String(r.duplicates)],
  ['rescored', (r) => String(r.rescored)],
  ['restarts', (r) => r.restarts || '-'],
  ['recovery s', (r) => (r.recoverySeconds === null ? 'never' : r.recoverySeconds.toFixed(1))],
  ['result', (r) => (r.passed ? 'pass' : 'FAIL')],
];

/** A plain-text table, numbers right-aligned, then the reasons for every failure and the notes. */
export function formatReport(results: ScenarioResult[]): string {
  const rows = results.map((r) => COLUMNS.map(([, cell]) => cell(r)));
  const widths = COLUMNS.map(([head], i) => Math.max(head.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  const out = [line(COLUMNS.map(([head]) => head)), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)];
  for (const r of results) {
    for (const note of r.notes) out.push(`  ${r.id}: ${note}`);
    for (const reason of r.reasons) out.push(`  ${r.id} FAILED: ${reason}`);
  }
  const passed = results.filter((r) => r.passed).length;
  out.push(`faults: ${passed} passed, ${results.length - passed} failed`);
  return out.join('\n');
}
