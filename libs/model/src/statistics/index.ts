export * from './drift';
export * from './feature-baseline';
export * from './rolling-stats';
