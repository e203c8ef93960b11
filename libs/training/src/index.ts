export * from './model-checksum';
export * from './train-model';
