import { DatasetError } from './dataset-error';
import { parseTabularRows } from './tabular-rows';

function failure(rows: unknown): string {
  try {
    parseTabularRows(rows, 'class');
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    return (err as Error).message;
  }
  throw new Error('expected a DatasetError');
}

describe('parseTabularRows', () => {
  it('learns the features from the first row’s keys in order, and the classes sorted', () => {
    const { data, schema } = parseTabularRows(
      [
        { width: 2, class: 'b', height: 1 },
        { class: 'a', height: 3, width: -4 },
      ],
      'class',
    );
    expect(data).toEqual({
      featureNames: ['width', 'height'],
      classNames: ['a', 'b'],
      X: [
        [2, 1],
        [-4, 3],
      ],
      y: [1, 0],
    });
    expect(schema.features).toEqual([
      { name: 'width', min: -4, max: 2 },
      { name: 'height', min: 1, max: 3 },
    ]);
  });

  it.each([
    ['no rows', [], 'rows must be a non-empty array of objects'],
    ['a row that is not an object', [{ a: 1, class: 'x' }, [1, 'y']], 'rows[1]: expected an object of features and the label'],
    ['no label field', [{ a: 1, species: 'x' }], 'rows[0]: no label field "class"'],
    ['only the label', [{ class: 'x' }], 'rows[0]: only the label field; a dataset needs at least one feature'],
    [
      'a missing feature',
      [
        { a: 1, b: 2, class: 'x' },
        { a: 1, class: 'y' },
      ],
      'rows[1], column "b": expected a finite number, got nothing',
    ],
    [
      'an extra field',
      [
        { a: 1, class: 'x' },
        { a: 1, z: 2, class: 'y' },
      ],
      'rows[1]: field "z" is not a feature of rows[0]',
    ],
    [
      'a number as text',
      [
        { a: 1, class: 'x' },
        { a: '2', class: 'y' },
      ],
      'rows[1], column "a": expected a finite number, got the text "2"',
    ],
    ['a NaN', [{ a: NaN, class: 'x' }], 'rows[0], column "a": expected a finite number, got NaN'],
    [
      'a label that is not text',
      [
        { a: 1, class: 'x' },
        { a: 2, class: 3 },
      ],
      'rows[1], column "class": expected a label (text), got number',
    ],
    [
      'one class',
      [
        { a: 1, class: 'x' },
        { a: 2, class: 'x' },
      ],
      'column "class" holds one class ("x"); a classifier needs at least 2',
    ],
  ])('refuses %s with a message naming the row and field', (_, rows, message) => {
    expect(failure(rows)).toBe(message);
  });

  it('refuses a first row of more than 1,001 fields', () => {
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, j) => [`f${j}`, 1]));
    expect(failure([{ ...wide, class: 'x' }])).toBe('rows[0]: more than 1001 fields; at most 1000 features and the label');
  });

  it('stops at the 1,001st distinct class', () => {
    expect(failure(Array.from({ length: 2000 }, (_, i) => ({ a: i, class: `k${i}` })))).toBe(
      'rows[1000], column "class": more than 1000 distinct classes; is "class" really the label column?',
    );
  });
});
