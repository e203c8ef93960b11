import { CLASS_NAMES, FEATURE_NAMES } from '@app/model';
import type { Features } from '../features';
import type { NamedInstance } from '../payloads/named-prediction';
import { featureList, refuseTooManyRows, rowFromValues, validatedNamedRows, validatedRows, type RawRow } from './feature-rows';
import { float32Value } from './float32';
import type { OipMetadataTensor, OipRequestInput, OipRequestOutput, OipResponseOutput } from './oip-schemas';
import { ProtocolInputError } from './protocol-input-error';

export type FloatDatatype = 'FP32' | 'FP64';

/** What the model declares: one [N,4] matrix in, the class label, its index and the probabilities out. */
export const OIP_MATRIX_INPUT = 'input-0';
export const OIP_OUTPUTS = ['label', 'class_id', 'probabilities'] as const;
export type OipOutputName = (typeof OIP_OUTPUTS)[number];

export const OIP_INPUT_METADATA: OipMetadataTensor[] = [{ name: OIP_MATRIX_INPUT, datatype: 'FP32', shape: [-1, FEATURE_NAMES.length] }];
export const OIP_OUTPUT_METADATA: OipMetadataTensor[] = oipOutputMetadata(CLASS_NAMES.length);

/**
 * A named model's inputs as its metadata declares them: one [N] tensor per feature, named after
 * it, in feature order. A named model's features are data, and the metadata is where a generic
 * client learns them; the one [N,F] tensor the default model declares is accepted too.
 */
export function oipFeatureInputMetadata(featureNames: readonly string[]): OipMetadataTensor[] {
  return featureNames.map((name) => ({ name, datatype: 'FP32', shape: [-1] }));
}

/** The outputs of a model of `classes` classes: label (BYTES [N]), class_id (INT64 [N]), probabilities ([N,classes]). */
export function oipOutputMetadata(classes: number): OipMetadataTensor[] {
  return [
    { name: 'label', datatype: 'BYTES', shape: [-1] },
    { name: 'class_id', datatype: 'INT64', shape: [-1] },
    { name: 'probabilities', datatype: 'FP32', shape: [-1, classes] },
  ];
}

export interface DecodedInputs {
  instances: Features[];
  /** The datatype the client used; the probabilities are answered in it. */
  datatype: FloatDatatype;
}

export interface DecodedNamedInputs {
  instances: NamedInstance[];
  datatype: FloatDatatype;
}

/** Rows read from tensors, not yet held to any model's rules. */
export interface DecodedRows {
  rows: RawRow[];
  datatype: FloatDatatype;
}

/**
 * Feature rows from OIP input tensors: either one [N,4] tensor (any name but a feature's; the
 * columns in FEATURE_NAMES order) or four [N] / [N,1] tensors named after the features, FP32 or
 * FP64, data row-major, flat or nested as the shape. FP32 values are read as the decimals they
 * stand for (float32Value). Rows are then held to the rules of /predict.
 */
export function decodeInferInputs(inputs: OipRequestInput[]): DecodedInputs {
  const { rows, datatype } = decodeTensorRows(inputs, FEATURE_NAMES);
  return { instances: validatedRows(rows), datatype };
}

/**
 * decodeInferInputs for a named model: one [N,F] tensor (columns in `featureNames` order) or F
 * tensors named after its features; rows then held to the rules of /models/{name}/predict/batch.
 */
export function decodeNamedInferInputs(inputs: OipRequestInput[], featureNames: readonly string[], model: string): DecodedNamedInputs {
  const { rows, datatype } = decodeTensorRows(inputs, featureNames);
  return { instances: validatedNamedRows(rows, featureNames, model), datatype };
}

/**
 * Rows by feature name from OIP input tensors, for a model of the given features (in order):
 * either one [N,F] tensor (any name but a feature's) or F [N] / [N,1] tensors named after the
 * features, all FP32 or all FP64, data row-major, flat or nested as the shape. FP32 values are
 * read as the decimals they stand for (float32Value).
 */
export function decodeTensorRows(inputs: OipRequestInput[], featureNames: readonly string[]): DecodedRows {
  const byFeature = inputs.some((t) => featureNames.includes(t.name));
  if (!byFeature && inputs.length !== 1) {
    throw new ProtocolInputError(
      `expected one [N,${featureNames.length}] input tensor or ${featureNames.length} [N] tensors named ${featureList(featureNames)}; got ${inputs.length} inputs`,
    );
  }
  const datatype = floatDatatype(inputs);
  const read = datatype === 'FP32' ? (v: unknown) => (typeof v === 'number' ? float32Value(v) : v) : (v: unknown) => v;
  const rows = byFeature ? rowsFromColumns(inputs, featureNames, read) : rowsFromMatrix(inputs[0], featureNames, read);
  return { rows, datatype };
}

function floatDatatype(inputs: OipRequestInput[]): FloatDatatype {
  for (const t of inputs) {
    if (t.datatype !== 'FP32' && t.datatype !== 'FP64')
      throw new ProtocolInputError(`input "${t.name}": datatype ${t.datatype} is not supported; send FP32 or FP64`);
  }
  const types = new Set(inputs.map((t) => t.datatype));
  if (types.size > 1) throw new ProtocolInputError(`the input tensors mix datatypes (${[...types].join(', ')}); send them all as FP32 or all as FP64`);
  return inputs[0].datatype as FloatDatatype;
}

function rowsFromMatrix(t: OipRequestInput, featureNames: readonly string[], read: (v: unknown) => unknown): RawRow[] {
  const width = featureNames.length;
  if (t.shape.length !== 2 || t.shape[1] !== width) {
    throw new ProtocolInputError(
      `input "${t.name}": shape [${t.shape.join(',')}] is not [N,${width}] (the features ${featureList(featureNames)}, in this order)`,
    );
  }
  refuseTooManyRows(t.shape[0]);
  const values = flatten(t);
  return Array.from({ length: t.shape[0] }, (_, i) => rowFromValues(values.slice(i * width, (i + 1) * width).map(read), featureNames));
}

function rowsFromColumns(inputs: OipRequestInput[], featureNames: readonly string[], read: (v: unknown) => unknown): RawRow[] {
  const names = inputs.map((t) => t.name);
  const unknown = names.filter((n) => !featureNames.includes(n));
  const missing = featureNames.filter((n) => !names.includes(n));
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (unknown.length || missing.length || repeated.length) {
    const problems = [
      ...(missing.length ? [`missing ${featureList(missing)}`] : []),
      ...(unknown.length ? [`unknown ${unknown.join(', ')}`] : []),
      ...(repeated.length ? [`repeated ${[...new Set(repeated)].join(', ')}`] : []),
    ];
    throw new ProtocolInputError(`inputs by feature need exactly the tensors ${featureList(featureNames)}: ${problems.join('; ')}`);
  }
  for (const t of inputs) {
    if (!(t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1))) {
      throw new ProtocolInputError(`input "${t.name}": shape [${t.shape.join(',')}] is not [N] or [N,1]`);
    }
  }
  const rows = inputs[0].shape[0];
  const uneven = inputs.find((t) => t.shape[0] !== rows);
  if (uneven)
    throw new ProtocolInputError(
      `input "${uneven.name}" has ${uneven.shape[0]} rows and "${inputs[0].name}" has ${rows}: every feature tensor needs the same N`,
    );
  refuseTooManyRows(rows);
  const columns = new Map(inputs.map((t) => [t.name, flatten(t)]));
  return Array.from({ length: rows }, (_, i) =>
    rowFromValues(
      featureNames.map((name) => read(columns.get(name)![i])),
      featureNames,
    ),
  );
}

/** The elements of a tensor in row-major order: `data` flat with exactly as many elements as the shape holds, or nested exactly as the shape. */
function flatten(t: OipRequestInput): unknown[] {
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (!t.data.some(Array.isArray)) {
    if (t.data.length !== size)
      throw new ProtocolInputError(`input "${t.name}": data has ${t.data.length} elements, shape [${t.shape.join(',')}] holds ${size}`);
    return t.data;
  }
  const out: unknown[] = [];
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === t.shape.length) {
      if (Array.isArray(node)) throw new ProtocolInputError(`input "${t.name}": data${path} nests deeper than shape [${t.shape.join(',')}]`);
      out.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== t.shape[depth]) {
      const found = Array.isArray(node) ? `${node.length} elements` : 'a single value';
      throw new ProtocolInputError(`input "${t.name}": data${path} has ${found} where shape [${t.shape.join(',')}] needs ${t.shape[depth]}`);
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(t.data, 0, '');
  return out;
}

/** The outputs a request asked for (all three, in declaration order, when it named none); an unknown name is the caller's error. */
export function requestedOutputs(outputs: OipRequestOutput[] | undefined): OipOutputName[] {
  if (!outputs || outputs.length === 0) return [...OIP_OUTPUTS];
  return outputs.map(({ name }) => {
    if (!(OIP_OUTPUTS as readonly string[]).includes(name))
      throw new ProtocolInputError(`unknown output "${name}"; the model produces ${OIP_OUTPUTS.join(', ')}`);
    return name as OipOutputName;
  });
}

/** A scored row as any model answers it: the label, its index, a probability per class label. */
export interface ScoredRow {
  prediction: string;
  class_id: number;
  probabilities: Readonly<Record<string, number>>;
}

/**
 * Scored rows as OIP output tensors: labels (BYTES [N]), class indexes (INT64 [N]), probabilities
 * ([N,C], columns in class order: the default model's CLASS_NAMES unless a named model's are given).
 */
export function encodeInferOutputs(
  predictions: readonly ScoredRow[],
  names: OipOutputName[],
  datatype: FloatDatatype,
  classNames: readonly string[] = CLASS_NAMES,
): OipResponseOutput[] {
  const n = predictions.length;
  const tensors: Record<OipOutputName, () => OipResponseOutput> = {
    label: () => ({ name: 'label', datatype: 'BYTES', shape: [n], data: predictions.map((p) => p.prediction) }),
    class_id: () => ({ name: 'class_id', datatype: 'INT64', shape: [n], data: predictions.map((p) => p.class_id) }),
    probabilities: () => ({
      name: 'probabilities',
      datatype,
      shape: [n, classNames.length],
      data: predictions.flatMap((p) => classNames.map((c) => (datatype === 'FP32' ? float32Value(p.probabilities[c]) : p.probabilities[c]))),
    }),
  };
  return names.map((name) => tensors[name]());
}
