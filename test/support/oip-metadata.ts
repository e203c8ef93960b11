/** What OIP v2 model metadata says of iris version 1, the model a fresh platform serves. */
export const IRIS_V1_METADATA = {
  name: 'iris',
  versions: ['1'],
  platform: 'iris-platform_gaussian-nb',
  inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [
    { name: 'label', datatype: 'BYTES', shape: [-1] },
    { name: 'class_id', datatype: 'INT64', shape: [-1] },
    { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
  ],
};
