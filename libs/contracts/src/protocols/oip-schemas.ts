import { z } from 'zod';
import { FEATURE_NAMES } from '@app/model';
import { MAX_BATCH } from '../features';

/**
 * The Open Inference Protocol v2 (KServe/Triton/Seldon "v2") REST objects, as the specification
 * defines them: https://github.com/kserve/open-inference-protocol (inference_rest.md). The
 * request schemas validate what clients send; all of them generate the OpenAPI document.
 */

export const OIP_DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;
export type OipDatatype = (typeof OIP_DATATYPES)[number];

/** `$parameters`: name → string, number or boolean. */
export const oipParametersSchema = z.record(z.string().max(256), z.union([z.string().max(4096), z.number(), z.boolean()])).meta({
  description: 'Name/value pairs; accepted, and the request parameters are returned in the response',
});
export type OipParameters = z.infer<typeof oipParametersSchema>;

const tensorName = z.string().min(1).max(256);
/** Each dimension an unsigned integer; a tensor has a handful of dimensions, not thousands. */
const shape = z.array(z.number().int().min(0)).max(8);

/**
 * An input tensor of a model of `features` features. Row-major, flat or nested as the shape;
 * element types are checked when the tensor is decoded. Bounded by the largest batch of that
 * model, so an oversized tensor is refused on its length alone.
 */
function requestInputSchema(features: number) {
  const maxElements = MAX_BATCH * features;
  return z.strictObject({
    name: tensorName,
    shape,
    datatype: z.enum(OIP_DATATYPES),
    parameters: oipParametersSchema.optional(),
    data: z
      .array(z.unknown())
      .max(maxElements, { message: `must hold at most ${maxElements} elements (${MAX_BATCH} rows of ${features} features)` })
      .meta({ description: 'Tensor elements in row-major order, flattened or nested as the shape' }),
  });
}

export const oipRequestOutputSchema = z.strictObject({ name: tensorName, parameters: oipParametersSchema.optional() });
export type OipRequestOutput = z.infer<typeof oipRequestOutputSchema>;

/** A model of more than 16 features may be sent one tensor per feature. */
function inferRequestSchema(features: number) {
  return z.strictObject({
    id: z.string().max(256).optional(),
    parameters: oipParametersSchema.optional(),
    inputs: z.array(requestInputSchema(features)).min(1).max(Math.max(16, features)),
    outputs: z.array(oipRequestOutputSchema).max(16).optional(),
  });
}

/** The default model's (iris, four features): the schema the OpenAPI document shows. */
export const oipRequestInputSchema = requestInputSchema(FEATURE_NAMES.length);
export type OipRequestInput = z.infer<typeof oipRequestInputSchema>;
export const oipInferRequestSchema = inferRequestSchema(FEATURE_NAMES.length);
export type OipInferRequest = z.infer<typeof oipInferRequestSchema>;

const requestSchemas = new Map<number, typeof oipInferRequestSchema>([[FEATURE_NAMES.length, oipInferRequestSchema]]);

/** The inference request of a model of `features` features: its tensors may hold MAX_BATCH rows of them. */
export function oipInferRequestSchemaFor(features: number): typeof oipInferRequestSchema {
  let schema = requestSchemas.get(features);
  if (!schema) {
    schema = inferRequestSchema(features);
    requestSchemas.set(features, schema);
  }
  return schema;
}

export const oipResponseOutputSchema = z.strictObject({
  name: z.string(),
  shape: z.array(z.number().int().min(0)),
  datatype: z.enum(OIP_DATATYPES),
  parameters: oipParametersSchema.optional(),
  data: z.array(z.union([z.string(), z.number()])),
});
export type OipResponseOutput = z.infer<typeof oipResponseOutputSchema>;

export const oipInferResponseSchema = z.strictObject({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string(),
  parameters: oipParametersSchema.optional(),
  outputs: z.array(oipResponseOutputSchema),
});
export type OipInferResponse = z.infer<typeof oipInferResponseSchema>;

const metadataTensor = z.strictObject({ name: z.string(), datatype: z.enum(OIP_DATATYPES), shape: z.array(z.number().int().min(-1)) });
export type OipMetadataTensor = z.infer<typeof metadataTensor>;

export const oipModelMetadataSchema = z.strictObject({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.string(),
  inputs: z.array(metadataTensor),
  outputs: z.array(metadataTensor),
});
export type OipModelMetadata = z.infer<typeof oipModelMetadataSchema>;

export const oipServerMetadataSchema = z.strictObject({ name: z.string(), version: z.string(), extensions: z.array(z.string()) });
export type OipServerMetadata = z.infer<typeof oipServerMetadataSchema>;

export const oipServerLiveSchema = z.strictObject({ live: z.boolean() });
export const oipServerReadySchema = z.strictObject({ ready: z.boolean() });
export const oipModelReadySchema = z.strictObject({ name: z.string(), ready: z.boolean() });

/** Every failed OIP request answers with this body, whatever the status. */
export const oipErrorSchema = z.strictObject({ error: z.string() });
export type OipError = z.infer<typeof oipErrorSchema>;

/**
 * The model repository extension's index (Triton's and MLServer's `POST v2/repository/index`):
 * one entry per model, its serving version and whether it can infer now. `ready: true` asks for
 * the ready ones only.
 */
export const oipRepositoryIndexRequestSchema = z.strictObject({
  ready: z.boolean().optional().meta({ description: 'true: only the models ready to infer' }),
});
export const OIP_MODEL_STATES = ['READY', 'UNAVAILABLE'] as const;
export const oipRepositoryIndexSchema = z.array(
  z.strictObject({
    name: z.string(),
    version: z.string().optional().meta({ description: 'The serving version; absent when none is' }),
    state: z.enum(OIP_MODEL_STATES),
    reason: z.string().meta({ description: 'Why the model is UNAVAILABLE; empty when READY' }),
  }),
);
export type OipRepositoryIndex = z.infer<typeof oipRepositoryIndexSchema>;
