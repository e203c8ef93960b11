export * from './model-registry';
export * from './registry.handler';
export * from './registry.module';
