import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { ROOT } from '../support/infra';
import { fencedBlocks, headingAnchors, markdownFiles, relativeLinks } from './markdown';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const README = read('README.md');
const DOC_PAGES = readdirSync(join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);

/** What is wrong with `target`, linked from the markdown file `from`; undefined when it resolves. */
function brokenLink(from: string, target: string): string | undefined {
  const [path, anchor] = target.split('#', 2);
  const file = path === '' ? from : normalize(join(dirname(from), decodeURIComponent(path)));
  if (file.startsWith('..')) return 'leaves the repository';
  if (!existsSync(join(ROOT, file))) return `${file} does not exist`;
  if (anchor === undefined) return undefined;
  if (!file.endsWith('.md')) return `#${anchor} in ${file}, which is not markdown`;
  return headingAnchors(read(file)).has(anchor) ? undefined : `${file} has no heading #${anchor}`;
}

describe('README and docs/', () => {
  it('link only to files and headings that exist, from every markdown file of the repository', () => {
    const problems = markdownFiles(ROOT).flatMap((from) =>
      relativeLinks(read(from)).flatMap(({ line, text }) => {
        const problem = brokenLink(from, text);
        return problem ? [`${from}:${line} (${text}): ${problem}`] : [];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('link every docs/ page from README', () => {
    const linked = new Set(relativeLinks(README).map(({ text }) => normalize(text.split('#')[0])));
    expect(DOC_PAGES.length).toBeGreaterThanOrEqual(10);
    expect(DOC_PAGES.filter((page) => !linked.has(page))).toEqual([]);
  });

  it('keep README to a few screens (at most 250 lines)', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('show only json output that parses: one value per block, or one per line for several commands', () => {
    const problems = ['README.md', ...DOC_PAGES].flatMap((file) =>
      fencedBlocks(read(file), 'json').flatMap(({ line, text }) => {
        const values = parses(text) ? [] : text.split('\n').filter((l) => l.trim() !== '' && !parses(l));
        return values.length > 0 ? [`${file}:${line}: ${values[0].slice(0, 80)}`] : [];
      }),
    );
    expect(problems).toEqual([]);
  });
});

function parses(json: string): boolean {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
}

describe('headingAnchors', () => {
  it('makes the anchors GitHub makes', () => {
    const markdown = [
      '# Embedded (`npm start`)',
      '## Local stack (`npm run stack:up`)',
      '## What changed, before and after',
      '### Open Inference Protocol v2 over REST',
      '## Tests',
      '## Tests',
      '```bash',
      '# not a heading',
      '```',
    ].join('\n');
    expect([...headingAnchors(markdown)]).toEqual([
      'embedded-npm-start',
      'local-stack-npm-run-stackup',
      'what-changed-before-and-after',
      'open-inference-protocol-v2-over-rest',
      'tests',
      'tests-1',
    ]);
  });
});

describe('relativeLinks', () => {
  it('finds links outside code and leaves out URLs', () => {
    const markdown = ['[a](docs/api.md#predictions) and [b](https://example.com) `[c](nowhere.md)`', '```', '[d](nowhere.md)', '```', '![e](img.png)'].join(
      '\n',
    );
    expect(relativeLinks(markdown)).toEqual([
      { line: 1, text: 'docs/api.md#predictions' },
      { line: 5, text: 'img.png' },
    ]);
  });
});
