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
const MAX_TENSOR_ELEMENTS = MAX_BATCH * FEATURE_NAMES.length;
/** Each dimension an unsigned integer; a tensor has a handful of dimensions, not thousands. */
const shape = z.array(z.number().int().min(0)).max(8);

export const oipRequestInputSchema = z.strictObject({
  name: tensorName,
  shape,
  datatype: z.enum(OIP_DATATYPES),
  parameters: oipParametersSchema.optional(),
  /**
   * Row-major, flat or nested as the shape; element types are checked when the tensor is decoded.
   * Bounded by the largest batch, so an oversized tensor is refused on its length alone.
   */
  data: z
    .array(z.unknown())
    .max(MAX_TENSOR_ELEMENTS, { message: `must hold at most ${MAX_TENSOR_ELEMENTS} elements (${MAX_BATCH} rows of ${FEATURE_NAMES.length} features)` })
    .meta({ description: 'Tensor elements in row-major order, flattened or nested as the shape' }),
});
export type OipRequestInput = z.infer<typeof oipRequestInputSchema>;

export const oipRequestOutputSchema = z.strictObject({ name: tensorName, parameters: oipParametersSchema.optional() });
export type OipRequestOutput = z.infer<typeof oipRequestOutputSchema>;

export const oipInferRequestSchema = z.strictObject({
  id: z.string().max(256).optional(),
  parameters: oipParametersSchema.optional(),
  inputs: z.array(oipRequestInputSchema).min(1).max(16),
  outputs: z.array(oipRequestOutputSchema).max(16).optional(),
});
export type OipInferRequest = z.infer<typeof oipInferRequestSchema>;

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
