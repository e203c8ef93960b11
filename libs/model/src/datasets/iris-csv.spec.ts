import { DatasetError } from './dataset-error';
import { datasetFromRows, parseIrisCsv } from './iris-csv';
import { IRIS_ROWS, irisDataset } from './iris-dataset';

const HEADER = 'sepal_length,sepal_width,petal_length,petal_width,species';
const SIX_ROWS = [
  '5.1,3.5,1.4,0.2,setosa',
  '4.9,3.0,1.4,0.2,setosa',
  '7.0,3.2,4.7,1.4,versicolor',
  '6.4,3.2,4.5,1.5,versicolor',
  '6.3,3.3,6.0,2.5,virginica',
  '5.8,2.7,5.1,1.9,virginica',
];
const csv = (...lines: string[]) => lines.join('\n');

function errorOf(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DatasetError) return e;
    throw e;
  }
  throw new Error('expected a DatasetError');
}

describe('parseIrisCsv', () => {
  it('parses the full iris data written as CSV back into irisDataset()', () => {
    const text = csv(HEADER, ...IRIS_ROWS.map((r) => `${r.features.join(',')},${r.label}`));
    expect(parseIrisCsv(text)).toEqual(irisDataset());
  });

  it('accepts columns in any order, a label column, extra columns, CRLF, a BOM and blank lines', () => {
    const text =
      '\uFEFFid,label,petal_width,petal_length,sepal_width,sepal_length\r\n1,setosa,0.2,1.4,3.5,5.1\r\n\r\n2,setosa,0.2,1.4,3.0,4.9\r\n3,versicolor,1.4,4.7,3.2,7.0\r\n4,versicolor,1.5,4.5,3.2,6.4\r\n5,virginica,2.5,6.0,3.3,6.3\r\n6,virginica,1.9,5.1,2.7,5.8\r\n';
    expect(parseIrisCsv(text)).toEqual(parseIrisCsv(csv(HEADER, ...SIX_ROWS)));
  });

  it.each([
    ['UCI / sklearn labels', 'Iris-setosa'],
    ['capitalised labels', 'Setosa'],
    ['quoted labels', '"setosa"'],
  ])('accepts %s', (_, label) => {
    const rows = SIX_ROWS.map((r) => r.replace(/,setosa$/, `,${label}`));
    expect(parseIrisCsv(csv(HEADER, ...rows)).y).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it.each([
    ['R', 'Sepal.Length,Sepal.Width,Petal.Length,Petal.Width,Species'],
    ['sklearn', 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),species'],
    ['Kaggle', 'SepalLengthCm,SepalWidthCm,PetalLengthCm,PetalWidthCm,Species'],
  ])('accepts %s header spellings', (_, header) => {
    expect(parseIrisCsv(csv(header, ...SIX_ROWS)).X[0]).toEqual([5.1, 3.5, 1.4, 0.2]);
  });

  it.each([
    ['an empty file', '', /CSV is empty/],
    ['a missing feature column', csv('sepal_length,sepal_width,petal_length,species', '1,2,3,setosa'), /line 1: header has no "petal_width" column/],
    ['a missing label column', csv('sepal_length,sepal_width,petal_length,petal_width', '1,2,3,4'), /line 1: header has no "species" or "label" column/],
    ['a duplicated column', csv(`${HEADER},species`, '1,2,3,4,setosa,setosa'), /2 columns for "species"/],
    ['a short row', csv(HEADER, SIX_ROWS[0], '1,2,3,setosa'), /line 3: expected 5 columns like the header, got 4/],
    ['a non-numeric value', csv(HEADER, SIX_ROWS[0], '4.9,abc,1.4,0.2,setosa'), /line 3, column sepal_width: "abc" is not a measurement in \(0, 100\]/],
    ['an empty value', csv(HEADER, '5.1,3.5,,0.2,setosa'), /line 2, column petal_length: "" is not a measurement/],
    ['a zero value', csv(HEADER, '5.1,3.5,1.4,0,setosa'), /line 2, column petal_width: "0" is not a measurement/],
    ['a value over 100', csv(HEADER, '500,3.5,1.4,0.2,setosa'), /line 2, column sepal_length: "500"/],
    ['Infinity', csv(HEADER, 'Infinity,3.5,1.4,0.2,setosa'), /line 2, column sepal_length/],
    ['an unknown species', csv(HEADER, ...SIX_ROWS, '5,3,1,0.2,rose'), /line 8, column species: "rose" is not one of setosa, versicolor, virginica/],
    ['a class with one row', csv(HEADER, ...SIX_ROWS.slice(1)), /at least 2 rows; too few for: setosa has 1/],
    ['a missing class', csv(HEADER, ...SIX_ROWS.slice(0, 4)), /virginica has 0/],
    ['a header with no data', HEADER, /no data rows/],
  ])('rejects %s with a DatasetError naming where', (_, text, message) => {
    const error = errorOf(() => parseIrisCsv(text));
    expect(error.name).toBe('DatasetError');
    expect(error.message).toMatch(message);
  });
});

describe('datasetFromRows', () => {
  const named = [
    { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2, species: 'setosa' },
    { sepal_length: 4.9, sepal_width: 3.0, petal_length: 1.4, petal_width: 0.2, species: 'Iris-setosa' },
    { sepal_length: 7.0, sepal_width: 3.2, petal_length: 4.7, petal_width: 1.4, species: 'versicolor' },
    { sepal_length: 6.4, sepal_width: 3.2, petal_length: 4.5, petal_width: 1.5, label: 'versicolor' },
    { features: [6.3, 3.3, 6.0, 2.5], label: 'virginica' },
    { features: [5.8, 2.7, 5.1, 1.9], label: 'virginica' },
  ];

  it('accepts named-field and features-array rows and validates like the CSV parser', () => {
    expect(datasetFromRows(named)).toEqual(parseIrisCsv(csv(HEADER, ...SIX_ROWS)));
  });

  it.each([
    ['no rows', [], /non-empty array/],
    ['a non-object row', [...named, 5], /rows\[6\]: expected an object/],
    ['a string measurement', [{ ...named[0], petal_width: '0.2' }, ...named.slice(1)], /rows\[0\], column petal_width: "0.2" is not a measurement/],
    ['a missing measurement', [{ ...named[0], sepal_width: undefined }, ...named.slice(1)], /rows\[0\], column sepal_width: undefined/],
    [
      'a short features array',
      [...named.slice(0, 5), { features: [1, 2, 3], label: 'virginica' }],
      /rows\[5\], column features: expected an array of 4 numbers/,
    ],
    ['a negative value', [...named.slice(0, 5), { features: [1, 2, 3, -4], label: 'virginica' }], /rows\[5\], column petal_width: -4/],
    ['a missing label', [...named.slice(0, 5), { features: [1, 2, 3, 4] }], /rows\[5\]: missing column label/],
    ['too few rows of a class', named.slice(1), /setosa has 1/],
  ])('rejects %s with a DatasetError', (_, rows, message) => {
    expect(errorOf(() => datasetFromRows(rows as never)).message).toMatch(message);
  });
});
