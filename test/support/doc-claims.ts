import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './infra';

/** README.md and every page under docs/, as [path relative to the repository, text]. */
export function documentation(): Array<[string, string]> {
  const pages = (dir: string): string[] =>
    existsSync(join(ROOT, dir))
      ? readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? pages(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
        )
      : [];
  return ['README.md', ...pages('docs')].map((path) => [path, readFileSync(join(ROOT, path), 'utf8')]);
}

/** Every number the documentation states in `pattern` (its first group, thousands separators allowed), with where it says so. */
export function statedNumbers(pattern: RegExp): Array<{ where: string; value: number }> {
  return documentation().flatMap(([path, text]) =>
    text
      .split('\n')
      .flatMap((line, i) =>
        [...line.matchAll(new RegExp(pattern.source, 'g'))].map((m) => ({ where: `${path}:${i + 1}`, value: Number(m[1].replace(/,/g, '')) })),
      ),
  );
}
