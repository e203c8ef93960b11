import { featuresFromCsv, featuresFromMlflowJson } from './mlflow-input';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const VIRGINICA = { sepal_length: 6.3, sepal_width: 3.3, petal_length: 6, petal_width: 2.5 };
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
  return 'no error';
};

describe('featuresFromMlflowJson', () => {
  it.each<[string, unknown]>([
    [
      'dataframe_split with columns in another order',
      {
        dataframe_split: {
          columns: ['petal_width', 'sepal_length', 'sepal_width', 'petal_length'],
          data: [
            [0.2, 5.1, 3.5, 1.4],
            [2.5, 6.3, 3.3, 6],
          ],
        },
      },
    ],
    [
      'dataframe_split with an index',
      {
        dataframe_split: {
          index: [7, 8],
          columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
          data: [
            [5.1, 3.5, 1.4, 0.2],
            [6.3, 3.3, 6, 2.5],
          ],
        },
      },
    ],
    ['dataframe_records', { dataframe_records: [SETOSA, VIRGINICA] }],
    ['instances as records', { instances: [SETOSA, VIRGINICA] }],
    [
      'instances as rows in feature order',
      {
        instances: [
          [5.1, 3.5, 1.4, 0.2],
          [6.3, 3.3, 6, 2.5],
        ],
      },
    ],
    ['inputs as columns', { inputs: { petal_length: [1.4, 6], sepal_length: [5.1, 6.3], sepal_width: [3.5, 3.3], petal_width: [0.2, 2.5] } }],
    [
      'inputs as rows',
      {
        inputs: [
          [5.1, 3.5, 1.4, 0.2],
          [6.3, 3.3, 6, 2.5],
        ],
      },
    ],
    ['a format with params, which are ignored', { dataframe_records: [SETOSA, VIRGINICA], params: { threshold: 0.5 } }],
  ])('reads %s', (_name, body) => {
    expect(featuresFromMlflowJson(body)).toEqual([SETOSA, VIRGINICA]);
  });

  it.each<[string, unknown, string]>([
    ['a list', [SETOSA], 'the body must be a JSON object with exactly one of the fields dataframe_split, dataframe_records, instances, inputs'],
    [
      'two formats',
      { instances: [SETOSA], inputs: [SETOSA] },
      'the body must be a JSON object with exactly one of the fields dataframe_split, dataframe_records, instances, inputs (and optionally params); received [instances, inputs]',
    ],
    [
      'an unknown field beside a format',
      { instances: [SETOSA], extra: 1 },
      'the body must be a JSON object with exactly one of the fields dataframe_split, dataframe_records, instances, inputs (and optionally params); received [instances, extra]',
    ],
    [
      'no format (MLflow 1 style)',
      { columns: ['a'], data: [[1]] },
      'the body must be a JSON object with exactly one of the fields dataframe_split, dataframe_records, instances, inputs (and optionally params); received [columns, data]',
    ],
    [
      'an unknown column',
      { dataframe_split: { columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'colour'], data: [[5.1, 3.5, 1.4, 0.2, 1]] } },
      'unknown column "colour"; the model takes sepal_length, sepal_width, petal_length, petal_width',
    ],
    [
      'a missing column',
      { dataframe_split: { columns: ['sepal_length', 'sepal_width', 'petal_length'], data: [[5.1, 3.5, 1.4]] } },
      'missing column "petal_width"; the model takes sepal_length, sepal_width, petal_length, petal_width',
    ],
    [
      'a repeated column',
      { dataframe_split: { columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'petal_width'], data: [[5.1, 3.5, 1.4, 0.2, 0.2]] } },
      'column "petal_width" given more than once',
    ],
    [
      'a short row',
      { dataframe_split: { columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], data: [[5.1, 3.5, 1.4]] } },
      'dataframe_split.data[0] must be an array of 4 values, one per column',
    ],
    [
      'an unknown record column',
      { dataframe_records: [SETOSA, { ...SETOSA, colour: 'blue', size: 2 }] },
      'dataframe_records[1]: unknown columns "colour", "size"; the model takes sepal_length, sepal_width, petal_length, petal_width',
    ],
    [
      'a record missing a feature',
      { dataframe_records: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4 }] },
      'invalid rows: row 0 petal_width: is required',
    ],
    [
      'an instance of three values',
      { instances: [[5.1, 3.5, 1.4]] },
      'instances[0] must be a record or an array of 4 values (sepal_length, sepal_width, petal_length, petal_width)',
    ],
    [
      'columns of different lengths',
      { inputs: { sepal_length: [5.1, 6.3], sepal_width: [3.5], petal_length: [1.4], petal_width: [0.2] } },
      'inputs by column must give every column as an array of the same length',
    ],
    ['a value out of range', { instances: [SETOSA, { ...SETOSA, sepal_width: -3 }] }, 'invalid rows: row 1 sepal_width: must be greater than 0 cm'],
    ['a string value', { instances: [{ ...SETOSA, sepal_length: '5.1' }] }, 'invalid rows: row 0 sepal_length: must be a number'],
    ['no rows', { dataframe_records: [] }, 'no rows to score: send at least 1'],
    [
      'dataframe_split without columns',
      { dataframe_split: { data: [[5.1, 3.5, 1.4, 0.2]] } },
      'dataframe_split: columns: Invalid input: expected array, received undefined',
    ],
    [
      'dataframe_split with an unknown field',
      { dataframe_split: { columns: [], data: [], orient: 'split' } },
      'dataframe_split: (root): Unrecognized key: "orient"',
    ],
    ['records that are numbers', { dataframe_records: [5.1] }, 'dataframe_records: 0: Invalid input: expected record, received number'],
    ['params that are not an object', { instances: [SETOSA], params: 3 }, 'params must be an object'],
    // Each with its first row malformed: read first, it would be the error.
    [
      'a data frame of 1500 rows, on its length before any row is read',
      { dataframe_split: { columns: Object.keys(SETOSA), data: [[5.1], ...Array(1499).fill([5.1, 3.5, 1.4, 0.2])] } },
      '1500 rows: send at most 1000 per request',
    ],
    ['1500 records', { dataframe_records: [5.1, ...Array(1499).fill(SETOSA)] }, '1500 rows: send at most 1000 per request'],
    [
      'columns of 1500 values',
      { inputs: { sepal_length: ['x', ...Array(1499).fill(5.1)], sepal_width: [3.5], petal_length: [1.4], petal_width: [0.2] } },
      '1500 rows: send at most 1000 per request',
    ],
  ])('refuses %s', (_name, body, message) => {
    expect(errorOf(() => featuresFromMlflowJson(body))).toBe(`ProtocolInputError: ${message}`);
  });
});

describe('featuresFromCsv', () => {
  it('reads a header row and rows, columns matched by name, CRLF and a trailing newline allowed', () => {
    const csv = 'petal_width,sepal_length,sepal_width,petal_length\r\n0.2,5.1,3.5,1.4\r\n2.5,6.3,3.3,6.0\r\n';
    expect(featuresFromCsv(csv)).toEqual([SETOSA, VIRGINICA]);
  });

  it('reads quoted header names as pandas writes them', () => {
    expect(featuresFromCsv('"sepal_length","sepal_width","petal_length","petal_width"\n5.1,3.5,1.4,0.2')).toEqual([SETOSA]);
  });

  it.each([
    [
      'an unknown column (a pandas index)',
      ',sepal_length,sepal_width,petal_length,petal_width\n0,5.1,3.5,1.4,0.2',
      'unknown column ""; the model takes sepal_length, sepal_width, petal_length, petal_width',
    ],
    ['a header only', 'sepal_length,sepal_width,petal_length,petal_width\n', 'no rows to score: send at least 1'],
    ['an empty body', '', 'the CSV is empty: send a header row naming the columns, then one row per line'],
    ['a line with too many fields', 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2,9', 'CSV line 2 has 5 fields, the header 4'],
    [
      '1500 rows, counted before any line is read (its first line is malformed)',
      `sepal_length,sepal_width,petal_length,petal_width\n5.1\n${'5.1,3.5,1.4,0.2\n'.repeat(1499)}\n\n`,
      '1500 rows: send at most 1000 per request',
    ],
    [
      'a word and an empty field',
      'sepal_length,sepal_width,petal_length,petal_width\nfive,3.5,,0.2',
      'invalid rows: row 0 sepal_length: must be a number; row 0 petal_length: is required',
    ],
  ])('refuses %s', (_name, csv, message) => {
    expect(errorOf(() => featuresFromCsv(csv))).toBe(`ProtocolInputError: ${message}`);
  });
});
