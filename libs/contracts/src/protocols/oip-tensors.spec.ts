import type { ScoredInstance } from '../payloads/prediction';
import type { OipRequestInput } from './oip-schemas';
import { decodeInferInputs, encodeInferOutputs, requestedOutputs } from './oip-tensors';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const VIRGINICA = { sepal_length: 6.3, sepal_width: 3.3, petal_length: 6, petal_width: 2.5 };
const matrix = (data: unknown[], shape = [2, 4], datatype: OipRequestInput['datatype'] = 'FP64'): OipRequestInput => ({
  name: 'input-0',
  shape,
  datatype,
  data,
});
const column = (name: string, data: unknown[], shape = [data.length], datatype: OipRequestInput['datatype'] = 'FP64'): OipRequestInput => ({
  name,
  shape,
  datatype,
  data,
});
const FEATURE_COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const errorOf = (inputs: OipRequestInput[]) => {
  try {
    decodeInferInputs(inputs);
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
  return 'no error';
};

describe('decodeInferInputs', () => {
  it('reads one [N,4] tensor given flat, row-major', () => {
    expect(decodeInferInputs([matrix([5.1, 3.5, 1.4, 0.2, 6.3, 3.3, 6, 2.5])])).toEqual({ instances: [SETOSA, VIRGINICA], datatype: 'FP64' });
  });

  it('reads the same tensor nested as its shape, whatever its name', () => {
    const nested = {
      ...matrix([
        [5.1, 3.5, 1.4, 0.2],
        [6.3, 3.3, 6, 2.5],
      ]),
      name: 'features',
    };
    expect(decodeInferInputs([nested])).toEqual({ instances: [SETOSA, VIRGINICA], datatype: 'FP64' });
  });

  it('reads FP32 values as the decimals they stand for', () => {
    const fromFloat32 = [5.099999904632568, 3.5, 1.399999976158142, 0.20000000298023224];
    expect(decodeInferInputs([matrix(fromFloat32, [1, 4], 'FP32')])).toEqual({ instances: [SETOSA], datatype: 'FP32' });
  });

  it('reads four [N] or [N,1] tensors named after the features, in any order', () => {
    const inputs = [
      column('petal_width', [0.2, 2.5]),
      column('sepal_length', [[5.1], [6.3]], [2, 1]),
      column('petal_length', [1.4, 6]),
      column('sepal_width', [3.5, 3.3]),
    ];
    expect(decodeInferInputs(inputs).instances).toEqual([SETOSA, VIRGINICA]);
  });

  it.each<[string, OipRequestInput[], string]>([
    [
      'a shape that is not [N,4]',
      [matrix([1, 2, 3, 4, 5, 6], [2, 3])],
      'input "input-0": shape [2,3] is not [N,4] (the features sepal_length, sepal_width, petal_length, petal_width, in this order)',
    ],
    ['too few flat elements', [matrix([5.1, 3.5, 1.4, 0.2, 6.3])], 'input "input-0": data has 5 elements, shape [2,4] holds 8'],
    [
      'a nested row of the wrong width',
      [
        matrix([
          [5.1, 3.5, 1.4, 0.2],
          [6.3, 3.3, 6],
        ]),
      ],
      'input "input-0": data[1] has 3 elements where shape [2,4] needs 4',
    ],
    [
      'nesting deeper than the shape',
      [
        matrix([
          [5.1, 3.5, 1.4, [0.2]],
          [6.3, 3.3, 6, 2.5],
        ]),
      ],
      'input "input-0": data[0][3] nests deeper than shape [2,4]',
    ],
    ['an integer datatype', [matrix([5, 3, 1, 1], [1, 4], 'INT64')], 'input "input-0": datatype INT64 is not supported; send FP32 or FP64'],
    ['BYTES', [matrix(['5.1', '3.5', '1.4', '0.2'], [1, 4], 'BYTES')], 'input "input-0": datatype BYTES is not supported; send FP32 or FP64'],
    [
      'two unnamed tensors',
      [matrix([5.1, 3.5, 1.4, 0.2], [1, 4]), matrix([5.1, 3.5, 1.4, 0.2], [1, 4])],
      'expected one [N,4] input tensor or 4 [N] tensors named sepal_length, sepal_width, petal_length, petal_width; got 2 inputs',
    ],
    [
      'feature tensors with one missing and one unknown',
      [column('sepal_length', [5.1]), column('sepal_width', [3.5]), column('petal_length', [1.4]), column('colour', [1])],
      'inputs by feature need exactly the tensors sepal_length, sepal_width, petal_length, petal_width: missing petal_width; unknown colour',
    ],
    [
      'feature tensors of different lengths',
      [column('sepal_length', [5.1, 6]), column('sepal_width', [3.5]), column('petal_length', [1.4]), column('petal_width', [0.2])],
      'input "sepal_width" has 1 rows and "sepal_length" has 2: every feature tensor needs the same N',
    ],
    [
      'mixed datatypes',
      [column('sepal_length', [5.1], [1], 'FP32'), column('sepal_width', [3.5]), column('petal_length', [1.4]), column('petal_width', [0.2])],
      'the input tensors mix datatypes (FP32, FP64); send them all as FP32 or all as FP64',
    ],
    [
      'a feature tensor of shape [N,2]',
      [column('sepal_length', [5.1, 1], [1, 2]), column('sepal_width', [3.5]), column('petal_length', [1.4]), column('petal_width', [0.2])],
      'input "sepal_length": shape [1,2] is not [N] or [N,1]',
    ],
    ['zero rows', [matrix([], [0, 4])], 'no rows to score: send at least 1'],
    [
      '1001 rows',
      [
        matrix(
          Array.from({ length: 4004 }, () => 1),
          [1001, 4],
        ),
      ],
      '1001 rows: send at most 1000 per request',
    ],
  ])('refuses %s', (_name, inputs, message) => {
    expect(errorOf(inputs)).toBe(`ProtocolInputError: ${message}`);
  });

  it('holds rows to the rules of /predict, naming each bad row and feature', () => {
    const data = [5.1, 3.5, 1.4, 0.2, 0, 3.3, 1e400, 'x', 6.3, 3.3, 6, 250];
    expect(errorOf([matrix(data, [3, 4])])).toBe(
      'ProtocolInputError: invalid rows: row 1 sepal_length: must be greater than 0 cm; row 1 petal_length: must be a finite number; row 1 petal_width: must be a number; row 2 petal_width: must be at most 100 cm',
    );
  });

  it('refuses more rows than a batch may hold on the declared shape, before reading any element', () => {
    // Row 0 is malformed: read first, it would be the error.
    const nested = [[5.1, 3.5, 1.4], ...Array.from({ length: 1499 }, () => [5.1, 3.5, 1.4, 0.2])];
    expect(errorOf([matrix(nested, [1500, 4])])).toBe('ProtocolInputError: 1500 rows: send at most 1000 per request');
    const columns = FEATURE_COLUMNS.map((name) => column(name, name === 'sepal_length' ? ['x'] : Array(1500).fill(1), [1500]));
    expect(errorOf(columns)).toBe('ProtocolInputError: 1500 rows: send at most 1000 per request');
  });

  it('accepts 1000 FP32 rows', () => {
    const data = Array.from({ length: 1000 }, () => [5.1, 3.5, 1.4, 0.2]);
    expect(decodeInferInputs([matrix(data, [1000, 4], 'FP32')]).instances).toHaveLength(1000);
  });
});

describe('requestedOutputs', () => {
  it('answers every output when none is named, and the named ones in the order asked', () => {
    expect(requestedOutputs(undefined)).toEqual(['label', 'class_id', 'probabilities']);
    expect(requestedOutputs([{ name: 'probabilities' }, { name: 'label' }])).toEqual(['probabilities', 'label']);
  });

  it('refuses an output the model does not produce', () => {
    expect(() => requestedOutputs([{ name: 'output-0' }])).toThrow('unknown output "output-0"; the model produces label, class_id, probabilities');
  });
});

describe('encodeInferOutputs', () => {
  const scored: ScoredInstance[] = [
    { prediction: 'setosa', class_id: 0, probability: 1, probabilities: { setosa: 1, versicolor: 1.644701233786709e-17, virginica: 1.8718963663692149e-25 } },
    {
      prediction: 'versicolor',
      class_id: 1,
      probability: 0.9315372792048138,
      probabilities: { setosa: 8.573153386316288e-110, versicolor: 0.9315372792048138, virginica: 0.06846272079518628 },
    },
  ];

  it('answers labels, class indexes and FP64 probabilities row-major in class order', () => {
    expect(encodeInferOutputs(scored, ['label', 'class_id', 'probabilities'], 'FP64')).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [2], data: ['setosa', 'versicolor'] },
      { name: 'class_id', datatype: 'INT64', shape: [2], data: [0, 1] },
      {
        name: 'probabilities',
        datatype: 'FP64',
        shape: [2, 3],
        data: [1, 1.644701233786709e-17, 1.8718963663692149e-25, 8.573153386316288e-110, 0.9315372792048138, 0.06846272079518628],
      },
    ]);
  });

  it('answers FP32 probabilities as float32 values, printed as numpy prints them', () => {
    // numpy: repr(np.float32(1.644701233786709e-17)) == '1.6447012e-17', and so on.
    expect(encodeInferOutputs(scored, ['probabilities'], 'FP32')).toEqual([
      { name: 'probabilities', datatype: 'FP32', shape: [2, 3], data: [1, 1.6447012e-17, 1.8718964e-25, 0, 0.9315373, 0.06846272] },
    ]);
  });
});
