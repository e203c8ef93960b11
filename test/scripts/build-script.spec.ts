import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/**
 * tsc never deletes what it emitted before: a module moved into a folder (libs/model's split.ts to
 * split/) left dist/…/split.js behind, which Node resolves before split/index.js, so an in-place
 * rebuild served the old code. The build removes the output of every root it compiles first.
 */
describe('npm run build', () => {
  it('removes the previous output of every root tsconfig.build.json compiles before compiling', () => {
    const build = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.build;
    const roots = [...new Set((JSON.parse(read('tsconfig.build.json')) as { include: string[] }).include.map((glob) => glob.split('/')[0]))];
    const removal = /^rm -rf ((?:dist\/[\w-]+ ?)+) && tsc /.exec(build);
    expect(removal).not.toBeNull();
    expect(removal![1].trim().split(' ').sort()).toEqual(roots.map((r) => `dist/${r}`).sort());
  });
});
