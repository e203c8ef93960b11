import { grpcResponseFromRest, restRequestFromGrpc, type GrpcModelInferRequest } from './oip-grpc';
import type { OipInferResponse } from './oip-schemas';

const request = (over: Partial<GrpcModelInferRequest>): GrpcModelInferRequest => ({
  model_name: 'iris',
  model_version: '',
  id: '',
  inputs: [],
  outputs: [],
  ...over,
});
const floats32 = (values: number[]) => Buffer.from(new Float32Array(values).buffer);

describe('restRequestFromGrpc', () => {
  it('turns typed contents, parameters and requested outputs into the REST request', () => {
    const grpc = request({
      id: 'req-7',
      parameters: { trace: { bool_param: true, parameter_choice: 'bool_param' }, tenant: { string_param: 'a', parameter_choice: 'string_param' } },
      inputs: [{ name: 'input-0', datatype: 'FP64', shape: [1, 4], parameters: {}, contents: { fp64_contents: [5.1, 3.5, 1.4, 0.2] } }],
      outputs: [{ name: 'label', parameters: { binary_data: { bool_param: false, parameter_choice: 'bool_param' } } }],
    });
    expect(restRequestFromGrpc(grpc)).toEqual({
      raw: false,
      request: {
        id: 'req-7',
        parameters: { trace: true, tenant: 'a' },
        inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: [5.1, 3.5, 1.4, 0.2] }],
        outputs: [{ name: 'label', parameters: { binary_data: false } }],
      },
    });
  });

  it('reads raw_input_contents as little-endian FP32, one entry per input', () => {
    const grpc = request({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4] }], raw_input_contents: [floats32([5.1, 3.5, 1.4, 0.2])] });
    const { request: rest, raw } = restRequestFromGrpc(grpc);
    expect(raw).toBe(true);
    expect(rest.inputs).toEqual([{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [5.099999904632568, 3.5, 1.399999976158142, 0.20000000298023224] }]);
  });

  it('refuses more rows than a batch may hold on the declared shape, before turning raw bytes into numbers', () => {
    const req = request({ inputs: [{ name: 'input-0', datatype: 'FP32', shape: [1500, 4] }], raw_input_contents: [Buffer.alloc(3)] });
    expect(() => restRequestFromGrpc(req)).toThrow('1500 rows: send at most 1000 per request');
  });

  it('refuses raw contents that do not match the inputs', () => {
    const twoInputs = request({
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [1] },
        { name: 'b', datatype: 'FP32', shape: [1] },
      ],
      raw_input_contents: [floats32([1])],
    });
    expect(() => restRequestFromGrpc(twoInputs)).toThrow('raw_input_contents has 1 entries for 2 inputs: give one per input, in order');
    const ragged = request({ inputs: [{ name: 'a', datatype: 'FP64', shape: [1] }], raw_input_contents: [Buffer.alloc(12)] });
    expect(() => restRequestFromGrpc(ragged)).toThrow('input "a": 12 raw bytes are not a whole number of FP64 elements');
  });
});

describe('grpcResponseFromRest', () => {
  const rest: OipInferResponse = {
    model_name: 'iris',
    model_version: '3',
    id: 'req-7',
    parameters: { tenant: 'a', rows: 2, ratio: 0.5 },
    outputs: [
      { name: 'label', datatype: 'BYTES', shape: [2], data: ['setosa', 'virginica'] },
      { name: 'class_id', datatype: 'INT64', shape: [2], data: [0, 2] },
      { name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: [0.25, 0.75] },
    ],
  };

  it('answers typed contents when the request used them', () => {
    const res = grpcResponseFromRest(rest, false);
    expect(res.parameters).toEqual({ tenant: { string_param: 'a' }, rows: { int64_param: 2 }, ratio: { double_param: 0.5 } });
    expect(res.raw_output_contents).toEqual([]);
    expect(res.outputs.map((o) => o.contents)).toEqual([
      { bytes_contents: [Buffer.from('setosa'), Buffer.from('virginica')] },
      { int64_contents: [0, 2] },
      { fp32_contents: [0.25, 0.75] },
    ]);
  });

  it('answers raw_output_contents in Triton layout when the request was raw', () => {
    const res = grpcResponseFromRest(rest, true);
    expect(res.outputs.map((o) => o.contents)).toEqual([undefined, undefined, undefined]);
    const [labels, classes, probabilities] = res.raw_output_contents;
    expect(labels).toEqual(Buffer.concat([Buffer.from([6, 0, 0, 0]), Buffer.from('setosa'), Buffer.from([9, 0, 0, 0]), Buffer.from('virginica')]));
    expect([classes.readBigInt64LE(0), classes.readBigInt64LE(8)]).toEqual([0n, 2n]);
    expect([probabilities.readFloatLE(0), probabilities.readFloatLE(4)]).toEqual([0.25, 0.75]);
  });
});
