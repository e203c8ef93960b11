export * from './service-context';
export * from './runtime.module';
export * from './api-error';
export * from './http-exception.filter';
export * from './json-body.middleware';
export * from './create-service-app';
export * from './run-service';
export * from './validate-body';
