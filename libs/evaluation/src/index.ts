export * from './statistics';
export * from './live-stats';
export * from './paired-comparison';
export * from './decision-policy';
export * from './labeled-window';
export * from './canary';
