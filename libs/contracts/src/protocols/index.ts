export * from './protocol-input-error';
export * from './float32';
export * from './feature-rows';
export * from './oip-schemas';
export * from './oip-tensors';
export * from './oip-grpc';
export * from './mlflow-schemas';
export * from './mlflow-input';
