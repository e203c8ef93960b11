export * from './document-sink';
export * from './elasticsearch-sink';
export * from './file-sink';
export * from './elasticsearch-client';
export * from './prediction-lookup';
