export * from './align-dataset';
export * from './dataset-error';
export * from './dataset-fingerprint';
export * from './iris-csv';
export * from './iris-dataset';
export * from './labeled-dataset';
export * from './learned-schema';
export * from './tabular-csv';
