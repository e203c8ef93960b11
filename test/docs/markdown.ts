import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Build output, dependencies, tool and server state: none of it is documentation we write. */
const NOT_DOCUMENTATION = new Set(['node_modules', 'dist', 'coverage', 'target', '__pycache__']);

/** Every markdown file of the repository below `dir`, as paths relative to it. */
export function markdownFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.name.startsWith('.') || NOT_DOCUMENTATION.has(entry.name)) return [];
    if (entry.isDirectory()) return markdownFiles(dir, path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

export interface Located {
  /** 1-based line of the file. */
  line: number;
  text: string;
}

/** Lines outside fenced code blocks: what GitHub renders as prose, tables and headings. */
function proseLines(markdown: string): Located[] {
  let fenced = false;
  return markdown.split('\n').flatMap((text, i) => {
    if (text.startsWith('```')) {
      fenced = !fenced;
      return [];
    }
    return fenced ? [] : [{ line: i + 1, text }];
  });
}

/**
 * The anchor GitHub gives a heading (github-slugger): lower case, punctuation dropped, each space a
 * hyphen; a repeated slug gets -1, -2, … in order.
 */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
    const html = [...text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)].map((m) => m[1]);
    html.forEach((id) => anchors.add(id));
    if (heading === undefined) continue;
    const base = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Links to files of the repository (no scheme), with the line they are on; code is not a link. */
export function relativeLinks(markdown: string): Located[] {
  return proseLines(markdown).flatMap(({ line, text }) =>
    [...text.replace(/`[^`]*`/g, '').matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
      .map((m) => m[1])
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
      .map((target) => ({ line, text: target })),
  );
}

/** The bodies of the fenced blocks tagged `lang`, each with the line its fence opens on. */
export function fencedBlocks(markdown: string, lang: string): Located[] {
  const blocks: Located[] = [];
  let open: { line: number; lang: string; body: string[] } | undefined;
  markdown.split('\n').forEach((text, i) => {
    if (!text.startsWith('```')) {
      open?.body.push(text);
    } else if (open) {
      if (open.lang === lang) blocks.push({ line: open.line, text: open.body.join('\n') });
      open = undefined;
    } else {
      open = { line: i + 1, lang: text.slice(3).trim(), body: [] };
    }
  });
  return blocks;
}
