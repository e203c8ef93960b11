import { z } from 'zod';
import { CLASS_NAMES } from '@app/model';

/**
 * MLflow's scoring protocol (MLflow 2+, `mlflow models serve`): the JSON body of POST
 * /invocations carries exactly one of these fields, optionally with `params`. Each schema checks
 * the structure; which columns a body must name is the codec's (mlflow-input.ts) concern.
 */
const record = z.record(z.string(), z.unknown());
const rows = z.array(z.array(z.unknown()));

export const MLFLOW_FORMAT_SCHEMAS = {
  /** pandas `to_dict(orient="split")`. */
  dataframe_split: z.strictObject({ columns: z.array(z.string()), data: rows, index: z.array(z.unknown()).optional() }),
  /** pandas `to_dict(orient="records")`. */
  dataframe_records: z.array(record),
  /** TF-serving row format: records, or rows of values in feature order. */
  instances: z.union([z.array(record), rows]),
  /** TF-serving columnar format (column → values), or rows as in `instances`. */
  inputs: z.union([z.record(z.string(), z.array(z.unknown())), z.array(record), rows]),
} as const;

export type MlflowFormat = keyof typeof MLFLOW_FORMAT_SCHEMAS;
export const MLFLOW_INPUT_FORMATS = Object.keys(MLFLOW_FORMAT_SCHEMAS) as MlflowFormat[];

const params = z.record(z.string(), z.unknown()).meta({ description: 'Accepted and ignored: the model takes no parameters' });

/** The JSON body as one schema (for the OpenAPI document): one of the four forms. */
export const mlflowJsonRequestSchema = z.union(
  MLFLOW_INPUT_FORMATS.map((format) => z.strictObject({ [format]: MLFLOW_FORMAT_SCHEMAS[format], params: params.optional() })),
);

/**
 * What an MLflow model server answers for a scikit-learn classifier: `predict`'s output, the
 * class label of each row, under `predictions`.
 */
export const mlflowResponseSchema = z.strictObject({ predictions: z.array(z.enum(CLASS_NAMES)) });
export type MlflowResponse = z.infer<typeof mlflowResponseSchema>;

/** The same answer from any model by name: its own class labels. */
export const mlflowNamedResponseSchema = z.strictObject({ predictions: z.array(z.string()) });
export type MlflowNamedResponse = z.infer<typeof mlflowNamedResponseSchema>;
