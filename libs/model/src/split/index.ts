export * from './metrics';
export * from './seeded-random';
export * from './split';
