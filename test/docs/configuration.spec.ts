import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_SCHEMA } from '@app/config';

const PAGE = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
// The table is the page's opening section; the sections after it (credentials) only explain.
const section = PAGE.split(/^## /m)[0];
const rows = section.split('\n').filter((l) => l.startsWith('| `'));

/** The schema's default as the table writes it; undefined where there is none (or it depends on the host). */
function documentedDefault(name: string): string | undefined {
  if (name === 'INSTANCE_ID') return undefined;
  const parsed = (ENV_SCHEMA as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>)[name].safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return undefined;
  return parsed.data === '' ? 'empty' : `\`${String(parsed.data)}\``;
}

describe('the configuration table of docs/configuration.md', () => {
  it('lists every variable the services read, with its default', () => {
    const problems = Object.keys(ENV_SCHEMA).flatMap((name) => {
      const row = rows.find((r) => r.split('|')[1].includes(`\`${name}\``));
      if (!row) return [`${name} is missing`];
      const expected = documentedDefault(name);
      const cell = row.split('|')[2];
      return expected !== undefined && !cell.startsWith(` ${expected}`) ? [`${name}: default cell "${cell.trim()}" does not start with ${expected}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it('documents no variable the services do not read', () => {
    const names = rows.flatMap((r) =>
      [...r.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)]
        // X_FILE is the secret-file form of X, unless X_FILE is itself a variable (KAFKA_SSL_CA_FILE).
        .map((m) => (m[1] in ENV_SCHEMA ? m[1] : m[1].replace(/_FILE$/, ''))),
    );
    expect(names.filter((n) => !(n in ENV_SCHEMA))).toEqual([]);
  });
});
