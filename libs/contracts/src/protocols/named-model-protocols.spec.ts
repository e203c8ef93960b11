import type { NamedScoredInstance } from '../payloads/named-prediction';
import { featureList, validatedNamedRows } from './feature-rows';
import { featuresFromMlflowJson, namedRowsFromCsv, namedRowsFromMlflowJson } from './mlflow-input';
import { oipInferRequestSchema, oipInferRequestSchemaFor, type OipRequestInput } from './oip-schemas';
import { decodeNamedInferInputs, decodeTensorRows, encodeInferOutputs, oipFeatureInputMetadata, oipOutputMetadata } from './oip-tensors';

/** A model that is not iris: three features (not cm, any sign), two classes. */
const FEATURES = ['density', 'ph', 'sulphates'];
const CLASSES = ['red', 'white'];
const MODEL = 'vinho';
const A = { density: 0.9978, ph: 3.51, sulphates: 0.56 };
const B = { density: 0.9968, ph: -3.2, sulphates: 0.68 };
const tensor = (name: string, data: unknown[], shape: number[], datatype: OipRequestInput['datatype'] = 'FP64'): OipRequestInput => ({
  name,
  shape,
  datatype,
  data,
});
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
  return 'no error';
};
const decode = (inputs: OipRequestInput[]) => decodeNamedInferInputs(inputs, FEATURES, MODEL);

describe('decodeNamedInferInputs (a model of 3 features)', () => {
  it('reads one [N,3] tensor, flat or nested, columns in the model’s feature order', () => {
    expect(decode([tensor('input-0', [0.9978, 3.51, 0.56, 0.9968, -3.2, 0.68], [2, 3])])).toEqual({ instances: [A, B], datatype: 'FP64' });
    const nested = [
      [0.9978, 3.51, 0.56],
      [0.9968, -3.2, 0.68],
    ];
    expect(decode([tensor('x', nested, [2, 3])]).instances).toEqual([A, B]);
  });

  it('reads three [N] or [N,1] tensors named after the features, in any order, FP32 as the decimals they stand for', () => {
    const inputs = [
      tensor('sulphates', [Math.fround(0.56), Math.fround(0.68)], [2], 'FP32'),
      tensor('density', [[Math.fround(0.9978)], [Math.fround(0.9968)]], [2, 1], 'FP32'),
      tensor('ph', [Math.fround(3.51), Math.fround(-3.2)], [2], 'FP32'),
    ];
    expect(decode(inputs)).toEqual({ instances: [A, B], datatype: 'FP32' });
  });

  it('keeps values iris would refuse (no cm range): a named model’s rows need only be finite numbers', () => {
    expect(decode([tensor('input-0', [1e6, -250, 0], [1, 3])]).instances).toEqual([{ density: 1e6, ph: -250, sulphates: 0 }]);
  });

  it.each<[string, OipRequestInput[], string]>([
    [
      'an [N,4] tensor (an iris row)',
      [tensor('input-0', [5.1, 3.5, 1.4, 0.2], [1, 4])],
      'input "input-0": shape [1,4] is not [N,3] (the features density, ph, sulphates, in this order)',
    ],
    ['a flat tensor short of its shape', [tensor('input-0', [1, 2, 3, 4, 5], [2, 3])], 'input "input-0": data has 5 elements, shape [2,3] holds 6'],
    [
      'two unnamed tensors',
      [tensor('a', [1, 2, 3], [1, 3]), tensor('b', [1, 2, 3], [1, 3])],
      'expected one [N,3] input tensor or 3 [N] tensors named density, ph, sulphates; got 2 inputs',
    ],
    [
      'feature tensors with one missing and one unknown (iris’s name)',
      [tensor('density', [1], [1]), tensor('ph', [3], [1]), tensor('sepal_length', [5.1], [1])],
      'inputs by feature need exactly the tensors density, ph, sulphates: missing sulphates; unknown sepal_length',
    ],
    [
      'a feature given twice',
      [tensor('density', [1], [1]), tensor('ph', [3], [1]), tensor('sulphates', [1], [1]), tensor('ph', [3], [1])],
      'inputs by feature need exactly the tensors density, ph, sulphates: repeated ph',
    ],
    [
      'feature tensors of different lengths',
      [tensor('density', [1, 2], [2]), tensor('ph', [3], [1]), tensor('sulphates', [1], [1])],
      'input "ph" has 1 rows and "density" has 2: every feature tensor needs the same N',
    ],
    ['an integer datatype', [tensor('input-0', [1, 3, 0], [1, 3], 'INT64')], 'input "input-0": datatype INT64 is not supported; send FP32 or FP64'],
    ['zero rows', [tensor('input-0', [], [0, 3])], 'no rows to score: send at least 1'],
    ['1001 rows', [tensor('input-0', Array(3003).fill(1), [1001, 3])], '1001 rows: send at most 1000 per request'],
    [
      'values that are not finite numbers, by row and feature',
      [tensor('input-0', [1, 'x', 0.5, 1e400, 3, null], [2, 3])],
      'invalid rows: row 0 ph: must be a number; row 1 density: must be a finite number; row 1 sulphates: must be a number',
    ],
  ])('refuses %s', (_name, inputs, message) => {
    expect(errorOf(() => decode(inputs))).toBe(`ProtocolInputError: ${message}`);
  });

  it('reads rows without judging them (decodeTensorRows), for the caller’s own rules', () => {
    expect(decodeTensorRows([tensor('input-0', [1, 'x', 3], [1, 3])], FEATURES)).toEqual({ rows: [{ density: 1, ph: 'x', sulphates: 3 }], datatype: 'FP64' });
  });
});

describe('validatedNamedRows', () => {
  it('names at most 10 problems, then counts the rest', () => {
    const rows = Array.from({ length: 12 }, () => ({ density: 1, ph: Number.NaN, sulphates: 1 }));
    const message = errorOf(() => validatedNamedRows(rows, FEATURES, MODEL));
    expect(message).toMatch(/^ProtocolInputError: invalid rows: row 0 ph: must be a finite number; .*row 9 ph: must be a finite number; and 2 more$/);
  });
});

describe('featureList', () => {
  it('spells out a few names and shortens a wide model’s', () => {
    expect(featureList(FEATURES)).toBe('density, ph, sulphates');
    const wide = Array.from({ length: 25 }, (_, i) => `f${i}`);
    expect(featureList(wide)).toBe(`${wide.slice(0, 20).join(', ')}, … (25 features: GET /models/{name} lists them)`);
  });
});

describe('OIP metadata and outputs of a named model', () => {
  it('declares one [N] FP32 tensor per feature and probabilities of one column per class', () => {
    expect(oipFeatureInputMetadata(FEATURES)).toEqual([
      { name: 'density', datatype: 'FP32', shape: [-1] },
      { name: 'ph', datatype: 'FP32', shape: [-1] },
      { name: 'sulphates', datatype: 'FP32', shape: [-1] },
    ]);
    expect(oipOutputMetadata(CLASSES.length)).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      { name: 'class_id', datatype: 'INT64', shape: [-1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
    ]);
  });

  const scored: NamedScoredInstance[] = [
    { prediction: 'white', class_id: 1, probability: 0.8765432198765432, probabilities: { white: 0.8765432198765432, red: 0.12345678012345678 } },
    { prediction: 'red', class_id: 0, probability: 0.75, probabilities: { red: 0.75, white: 0.25 } },
  ];

  it('answers probabilities [N,2] in the model’s class order, whatever order the reply keyed them in', () => {
    expect(encodeInferOutputs(scored, ['label', 'class_id', 'probabilities'], 'FP64', CLASSES)).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [2], data: ['white', 'red'] },
      { name: 'class_id', datatype: 'INT64', shape: [2], data: [1, 0] },
      { name: 'probabilities', datatype: 'FP64', shape: [2, 2], data: [0.12345678012345678, 0.8765432198765432, 0.75, 0.25] },
    ]);
    expect(encodeInferOutputs(scored, ['probabilities'], 'FP32', CLASSES)).toEqual([
      { name: 'probabilities', datatype: 'FP32', shape: [2, 2], data: [0.12345678, 0.8765432, 0.75, 0.25] },
    ]);
  });
});

describe('oipInferRequestSchemaFor', () => {
  it('bounds a tensor by the largest batch of the model’s own width', () => {
    const wide = oipInferRequestSchemaFor(13);
    const ok = wide.safeParse({ inputs: [{ name: 'input-0', shape: [1000, 13], datatype: 'FP64', data: Array(13_000).fill(1) }] });
    expect(ok.success).toBe(true);
    const tooMany = wide.safeParse({ inputs: [{ name: 'input-0', shape: [1001, 13], datatype: 'FP64', data: Array(13_001).fill(1) }] });
    expect(tooMany.error?.issues).toEqual([
      expect.objectContaining({ path: ['inputs', 0, 'data'], message: 'must hold at most 13000 elements (1000 rows of 13 features)' }),
    ]);
  });

  it('lets a model of more than 16 features be sent one tensor per feature, and keeps the default model’s schema', () => {
    const inputs = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, shape: [1], datatype: 'FP64', data: [1] }));
    expect(oipInferRequestSchemaFor(30).safeParse({ inputs }).success).toBe(true);
    expect(oipInferRequestSchemaFor(3).safeParse({ inputs }).success).toBe(false);
    expect(oipInferRequestSchemaFor(4)).toBe(oipInferRequestSchema);
  });
});

describe('namedRowsFromMlflowJson / namedRowsFromCsv (a model of 3 features)', () => {
  it.each<[string, unknown]>([
    [
      'dataframe_split, columns in another order',
      {
        dataframe_split: {
          columns: ['sulphates', 'density', 'ph'],
          data: [
            [0.56, 0.9978, 3.51],
            [0.68, 0.9968, -3.2],
          ],
        },
      },
    ],
    ['dataframe_records', { dataframe_records: [A, B] }],
    [
      'instances as rows in feature order',
      {
        instances: [
          [0.9978, 3.51, 0.56],
          [0.9968, -3.2, 0.68],
        ],
      },
    ],
    ['inputs as columns', { inputs: { ph: [3.51, -3.2], sulphates: [0.56, 0.68], density: [0.9978, 0.9968] } }],
  ])('reads %s', (_name, body) => {
    expect(namedRowsFromMlflowJson(body, FEATURES, MODEL)).toEqual([A, B]);
  });

  it('reads CSV with a header row, columns in any order', () => {
    expect(namedRowsFromCsv('ph,sulphates,density\n3.51,0.56,0.9978\n-3.2,0.68,0.9968\n', FEATURES, MODEL)).toEqual([A, B]);
  });

  it.each<[string, unknown, string]>([
    [
      'an iris data frame',
      { dataframe_split: { columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], data: [[5.1, 3.5, 1.4, 0.2]] } },
      'unknown columns "sepal_length", "sepal_width", "petal_length", "petal_width"; the model takes density, ph, sulphates',
    ],
    [
      'a missing column',
      { dataframe_split: { columns: ['density', 'ph'], data: [[1, 2]] } },
      'missing column "sulphates"; the model takes density, ph, sulphates',
    ],
    ['a row of four values', { instances: [[1, 2, 3, 4]] }, 'instances[0] must be a record or an array of 3 values (density, ph, sulphates)'],
    [
      'a record with an extra column',
      { dataframe_records: [{ ...A, colour: 1 }] },
      'dataframe_records[0]: unknown column "colour"; the model takes density, ph, sulphates',
    ],
    ['a string value', { dataframe_records: [{ ...A, ph: '3.5' }] }, 'invalid rows: row 0 ph: must be a number'],
    ['a record missing a feature', { dataframe_records: [{ density: 1, ph: 3 }] }, 'invalid rows: row 0 sulphates: is required'],
  ])('refuses %s', (_name, body, message) => {
    expect(errorOf(() => namedRowsFromMlflowJson(body, FEATURES, MODEL))).toBe(`ProtocolInputError: ${message}`);
  });

  it('leaves the default model’s reading as it was: its four features, its cm range', () => {
    expect(errorOf(() => featuresFromMlflowJson({ dataframe_records: [A] }))).toBe(
      'ProtocolInputError: dataframe_records[0]: unknown columns "density", "ph", "sulphates"; the model takes sepal_length, sepal_width, petal_length, petal_width',
    );
  });
});
