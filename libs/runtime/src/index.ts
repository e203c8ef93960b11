export * from './service-context';
export * from './runtime.module';
export * from './api-error';
export * from './exceptions.filter';
export * from './json-body.middleware';
export * from './create-service-app';
export * from './run-service';
export * from './validate-body';
