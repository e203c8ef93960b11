export * from './promotion-gate';
