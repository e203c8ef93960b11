export * from './datasets';
export * from './estimators';
export * from './gate';
export * from './split';
export * from './statistics';
