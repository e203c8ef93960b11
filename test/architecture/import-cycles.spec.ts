import { join } from 'node:path';
import { importCycles, importGraph } from './import-graph';

describe('import cycles', () => {
  it('finds a cycle through three files, a self-import, and nothing in a tree', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
    expect(
      importCycles(
        new Map([
          ['x.ts', ['y.ts']],
          ['y.ts', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('resolves path aliases and relative imports, type-only ones included', () => {
    const graph = importGraph(join(__dirname, '..', '..'));
    expect(graph.get('libs/training/src/model-checksum.ts')).toEqual(['libs/model/src/index.ts']);
    expect(graph.get('libs/model/src/estimators/gaussian-nb/gaussian-nb-scorer.ts')).toEqual([
      'libs/model/src/estimators/estimator.ts',
      'libs/model/src/estimators/gaussian-nb/gaussian-nb-params.ts',
    ]);
  });

  it('finds none in apps, libs, test, bench and scripts', () => {
    expect(importCycles(importGraph(join(__dirname, '..', '..')))).toEqual([]);
  });
});
