export * from './model-registry';
export * from './training-runs';
export * from './registry.handler';
export * from './training-runs.handler';
export * from './registry.module';
