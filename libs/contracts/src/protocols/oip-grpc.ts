import type { OipDatatype, OipInferResponse, OipParameters, OipResponseOutput } from './oip-schemas';
import { refuseTooManyRows } from './feature-rows';
import { ProtocolInputError } from './protocol-input-error';

/**
 * The messages of `inference.GRPCInferenceService` (protos/grpc_predict_v2.proto) as
 * @grpc/proto-loader hands them over with keepCase, longs as Number, defaults and oneofs, and
 * their conversion to and from the REST objects, so both transports share one inference path.
 */
export interface GrpcInferParameter {
  bool_param?: boolean;
  int64_param?: number;
  string_param?: string;
  double_param?: number;
  uint64_param?: number;
  parameter_choice?: string;
}
export type GrpcParameters = Record<string, GrpcInferParameter>;

export interface GrpcTensorContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: number[];
  uint_contents?: number[];
  uint64_contents?: number[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Buffer[];
}

export interface GrpcTensor {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: GrpcParameters;
  contents?: GrpcTensorContents | null;
}

export interface GrpcModelInferRequest {
  model_name: string;
  model_version: string;
  id: string;
  parameters?: GrpcParameters;
  inputs: GrpcTensor[];
  outputs: Array<{ name: string; parameters?: GrpcParameters }>;
  raw_input_contents?: Buffer[];
}

export interface GrpcModelInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  parameters: GrpcParameters;
  outputs: GrpcTensor[];
  raw_output_contents: Buffer[];
}

/** The typed contents field that carries each datatype (FP16 and BF16 have none: raw only). */
const CONTENTS_FIELD: Partial<Record<OipDatatype, keyof GrpcTensorContents>> = {
  BOOL: 'bool_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
};

export interface RestFromGrpc {
  /** The equivalent REST inference request, still to be validated like any REST body. */
  request: Record<string, unknown>;
  /** The inputs came as raw_input_contents: the answer then uses raw_output_contents too (as Triton's clients expect). */
  raw: boolean;
}

export function restRequestFromGrpc(req: GrpcModelInferRequest): RestFromGrpc {
  const rawContents = req.raw_input_contents ?? [];
  const raw = rawContents.length > 0;
  if (raw && rawContents.length !== req.inputs.length) {
    throw new ProtocolInputError(`raw_input_contents has ${rawContents.length} entries for ${req.inputs.length} inputs: give one per input, in order`);
  }
  // Every accepted shape has its rows first ([N], [N,1], [N,F]): refused before the raw bytes become numbers.
  for (const t of req.inputs) refuseTooManyRows(t.shape[0] ?? 0);
  const inputs = req.inputs.map((t, i) => ({
    name: t.name,
    shape: t.shape,
    datatype: t.datatype,
    ...(hasEntries(t.parameters) ? { parameters: fromGrpcParameters(t.parameters!) } : {}),
    data: raw ? rawElements(t, rawContents[i]) : typedElements(t),
  }));
  const request: Record<string, unknown> = { inputs };
  if (req.id) request.id = req.id;
  if (hasEntries(req.parameters)) request.parameters = fromGrpcParameters(req.parameters!);
  if (req.outputs.length > 0) {
    request.outputs = req.outputs.map((o) => ({ name: o.name, ...(hasEntries(o.parameters) ? { parameters: fromGrpcParameters(o.parameters!) } : {}) }));
  }
  return { request, raw };
}

export function grpcResponseFromRest(res: OipInferResponse, raw: boolean): GrpcModelInferResponse {
  return {
    model_name: res.model_name,
    model_version: res.model_version ?? '',
    id: res.id,
    parameters: toGrpcParameters(res.parameters ?? {}),
    outputs: res.outputs.map((o) => ({
      name: o.name,
      datatype: o.datatype,
      shape: o.shape,
      parameters: toGrpcParameters(o.parameters ?? {}),
      ...(raw ? {} : { contents: typedContents(o) }),
    })),
    raw_output_contents: raw ? res.outputs.map(rawBytes) : [],
  };
}

export function fromGrpcParameters(params: GrpcParameters): OipParameters {
  return Object.fromEntries(
    Object.entries(params).map(([name, p]) => {
      const choice = (p.parameter_choice ?? Object.keys(p).find((k) => k.endsWith('_param'))) as keyof GrpcInferParameter | undefined;
      return [name, choice ? (p[choice] as string | number | boolean) : ''];
    }),
  );
}

export function toGrpcParameters(params: OipParameters): GrpcParameters {
  return Object.fromEntries(
    Object.entries(params).map(([name, v]) => [
      name,
      typeof v === 'boolean'
        ? { bool_param: v }
        : typeof v === 'string'
          ? { string_param: v }
          : Number.isSafeInteger(v)
            ? { int64_param: v }
            : { double_param: v },
    ]),
  );
}

function typedElements(t: GrpcTensor): unknown[] {
  const field = CONTENTS_FIELD[t.datatype as OipDatatype];
  const values = field ? ((t.contents?.[field] as unknown[] | undefined) ?? []) : [];
  return field === 'bytes_contents' ? (values as Buffer[]).map((b) => b.toString('utf8')) : values;
}

/** Little-endian, row-major (the specification's raw layout); only the float types the model reads. */
function rawElements(t: GrpcTensor, bytes: Buffer): unknown[] {
  const width = t.datatype === 'FP32' ? 4 : t.datatype === 'FP64' ? 8 : 0;
  if (width === 0) return [];
  if (bytes.length % width !== 0) throw new ProtocolInputError(`input "${t.name}": ${bytes.length} raw bytes are not a whole number of ${t.datatype} elements`);
  return Array.from({ length: bytes.length / width }, (_, i) => (width === 4 ? bytes.readFloatLE(i * 4) : bytes.readDoubleLE(i * 8)));
}

function typedContents(o: OipResponseOutput): GrpcTensorContents {
  const field = CONTENTS_FIELD[o.datatype]!;
  return { [field]: field === 'bytes_contents' ? o.data.map((v) => Buffer.from(String(v), 'utf8')) : o.data };
}

/** BYTES elements each as a 4-byte little-endian length and the bytes, as Triton's clients decode them. */
function rawBytes(o: OipResponseOutput): Buffer {
  switch (o.datatype) {
    case 'BYTES':
      return Buffer.concat(
        o.data.map((v) => {
          const text = Buffer.from(String(v), 'utf8');
          const length = Buffer.alloc(4);
          length.writeUInt32LE(text.length);
          return Buffer.concat([length, text]);
        }),
      );
    case 'INT64': {
      const out = Buffer.alloc(o.data.length * 8);
      o.data.forEach((v, i) => out.writeBigInt64LE(BigInt(v), i * 8));
      return out;
    }
    case 'FP32': {
      const out = Buffer.alloc(o.data.length * 4);
      o.data.forEach((v, i) => out.writeFloatLE(Number(v), i * 4));
      return out;
    }
    case 'FP64': {
      const out = Buffer.alloc(o.data.length * 8);
      o.data.forEach((v, i) => out.writeDoubleLE(Number(v), i * 8));
      return out;
    }
    default:
      throw new Error(`no raw encoding for output datatype ${o.datatype}`);
  }
}

const hasEntries = (o: object | undefined) => o !== undefined && Object.keys(o).length > 0;
