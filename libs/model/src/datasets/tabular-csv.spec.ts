import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './dataset-error';
import { MAX_CLASSES, MAX_FEATURES, MAX_HEADER_CHARS, MAX_NAME_CHARS } from './limits';
import { parseTabularCsv } from './tabular-csv';

const DATA = join(__dirname, '..', '..', '..', '..', 'data');

function failure(text: string, label = 'class'): string {
  try {
    parseTabularCsv(text, label);
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    return (err as Error).message;
  }
  throw new Error('expected a DatasetError');
}

describe('parseTabularCsv on the wine fixture', () => {
  const { data, schema } = parseTabularCsv(readFileSync(join(DATA, 'wine-train.csv'), 'utf8'), 'class');

  it('learns 13 features in header order and the 3 class names, sorted', () => {
    expect(data.featureNames).toHaveLength(13);
    expect(data.featureNames.slice(0, 2)).toEqual(['alcohol', 'malic_acid']);
    expect(data.featureNames[12]).toBe('proline');
    expect(schema.classNames).toEqual(['class_0', 'class_1', 'class_2']);
    expect(schema.label).toBe('class');
  });

  it('reads all 133 rows with their labels (44, 53 and 36 per class)', () => {
    expect(data.X).toHaveLength(133);
    expect([0, 1, 2].map((k) => data.y.filter((y) => y === k).length)).toEqual([44, 53, 36]);
    expect(data.X[0]).toEqual([14.83, 1.64, 2.17, 14, 97, 2.8, 2.98, 0.29, 1.98, 5.2, 1.08, 2.85, 1045]);
    expect(data.y[0]).toBe(0);
  });

  it('records each feature’s observed range', () => {
    expect(schema.features[0]).toEqual({ name: 'alcohol', min: 11.03, max: 14.83 });
    expect(schema.features[12]).toEqual({ name: 'proline', min: 278, max: 1515 });
  });
});

describe('parseTabularCsv', () => {
  it('takes the label column from anywhere and the features in header order', () => {
    const { data } = parseTabularCsv('species,b,a\nx,1,2\ny,3,4\n', 'species');
    expect(data).toEqual({
      featureNames: ['b', 'a'],
      classNames: ['x', 'y'],
      X: [
        [1, 2],
        [3, 4],
      ],
      y: [0, 1],
    });
  });

  it('sorts classes by code point as np.unique does, not by UTF-16 unit as Array.sort does', () => {
    const labels = ['😀', 'b', '！', 'a', 'B', 'é'];
    const { data } = parseTabularCsv(['x,class', ...labels.map((l, i) => `${i},${l}`)].join('\n'), 'class');
    expect(data.classNames).toEqual(['B', 'a', 'b', 'é', '！', '😀']);
    expect([...labels].sort()).not.toEqual(data.classNames);
    expect(data.y).toEqual([5, 2, 4, 1, 0, 3]);
  });

  it('accepts a byte-order mark, CRLF line ends, blank lines, quoted cells and padding', () => {
    const { data } = parseTabularCsv('\uFEFF"width, cm" , "say ""hi""",class\r\n\r\n 1.5 ,"2",a\r\n-3e2,+.5,"b"\r\n', 'class');
    expect(data).toEqual({
      featureNames: ['width, cm', 'say "hi"'],
      classNames: ['a', 'b'],
      X: [
        [1.5, 2],
        [-300, 0.5],
      ],
      y: [0, 1],
    });
  });

  it.each([
    ['an empty file', '', 'CSV is empty; expected a header line'],
    ['only blank lines', '\n \n', 'CSV is empty; expected a header line'],
    ['a header and no rows', 'a,class\n', 'CSV has a header but no data rows'],
    ['one class only', 'a,class\n1,x\n2,x\n', 'column "class" holds one class ("x"); a classifier needs at least 2'],
    ['no label column', 'a,b,species\n1,2,x\n', 'line 1: the header has no label column "class" (its 3 columns: "a", "b", "species")'],
    ['only the label column', 'class\nx\ny\n', 'line 1: the header has only the label column; a dataset needs at least one feature'],
    ['an empty column name', 'a,,class\n1,2,x\n', 'line 1: column 2 of the header has an empty name'],
    ['a duplicate column name', 'a,b,a,class\n1,2,3,x\n', 'line 1: columns 1 and 3 of the header are both named "a"'],
    [
      'a column name over the cap',
      `${'n'.repeat(MAX_NAME_CHARS + 1)},class\n1,x\n`,
      `line 1: column 1 of the header has a name of 201 characters; at most ${MAX_NAME_CHARS}`,
    ],
    ['an unterminated quote', 'a,"b,class\n', 'line 1: a quoted cell is not closed (a line break inside quotes is not supported)'],
    ['a row with too few cells', 'a,b,class\n1,2,x\n3,y\n', 'line 3: only 2 cells; the header has 3 columns'],
    ['a row with too many cells', 'a,b,class\n1,2,x,4\n', 'line 2: more than 3 cells; the header has 3 columns'],
    ['a non-numeric cell', 'a,b,class\n1,2,x\n1,abc,y\n', 'line 3, column "b": "abc" is not a number'],
    ['an empty feature cell', 'a,b,class\n1,,x\n', 'line 2, column "b": empty cell; every feature must be a number'],
    ['NaN', 'a,class\nNaN,x\n', 'line 2, column "a": "NaN" is not a number'],
    ['inf', 'a,class\ninf,x\n', 'line 2, column "a": "inf" is not a number'],
    ['a hexadecimal number', 'a,class\n0x1f,x\n', 'line 2, column "a": "0x1f" is not a number'],
    ['a number that overflows to Infinity', 'a,class\n1,x\n1e400,y\n', 'line 3, column "a": "1e400" is not a finite number'],
    ['an empty label', 'a,class\n1,x\n2,\n', 'line 3, column "class": empty label'],
  ])('refuses %s with a message naming the problem', (_, text, message) => {
    expect(failure(text)).toBe(message);
  });

  it(`refuses a header of 10^6 columns by counting them, before building any (cap ${MAX_FEATURES} features)`, () => {
    const header = Array.from({ length: 1_000_000 }, (_, j) => `c${j}`).join(',');
    const started = performance.now();
    expect(failure(`${header},class\n`)).toBe(`line 1: the header has 1000001 columns; at most 1001 (1000 features and the label)`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('accepts exactly 1,000 features', () => {
    const names = Array.from({ length: MAX_FEATURES }, (_, j) => `f${j}`);
    const { data } = parseTabularCsv(`${names.join(',')},class\n${names.map(() => 1).join(',')},a\n${names.map(() => 2).join(',')},b\n`, 'class');
    expect(data.featureNames).toHaveLength(1000);
  });

  it('refuses a 1 MB header line', () => {
    expect(failure(`${'x'.repeat(1 << 20)},class\n1,a\n`)).toBe(`line 1: the header is 1048582 characters long; at most ${MAX_HEADER_CHARS}`);
  });

  it('refuses a row of 10^6 cells after reading the header’s count of them', () => {
    expect(failure(`a,b,class\n${'1,'.repeat(1_000_000)}x\n`)).toBe('line 2: more than 3 cells; the header has 3 columns');
  });

  it(`stops at the ${MAX_CLASSES + 1}st distinct label of a column with 10^5 of them, before reading further`, () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `${i},label-${i}`);
    rows[50_000] = 'not a number,x';
    expect(failure(`id,class\n${rows.join('\n')}\n`)).toBe('line 1002, column "class": more than 1000 distinct classes; is "class" really the label column?');
  });

  it('accepts exactly 1,000 classes', () => {
    const rows = Array.from({ length: MAX_CLASSES }, (_, i) => `${i},k${i}`);
    expect(parseTabularCsv(`x,class\n${rows.join('\n')}`, 'class').data.classNames).toHaveLength(1000);
  });

  it('refuses a label over the name cap', () => {
    expect(failure(`a,class\n1,x\n2,${'y'.repeat(MAX_NAME_CHARS + 1)}\n`)).toBe(`line 3, column "class": a label of 201 characters; at most ${MAX_NAME_CHARS}`);
  });
});
