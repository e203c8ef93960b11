export * from './model-registry';
export * from './training-runs';
export * from './registry.handler';
export * from './training-runs.handler';
export * from './registry.module';
export * from './routing-state';
export * from './routing.handler';
export * from './version-cache';
