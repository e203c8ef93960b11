export * from './access';
export * from './api-keys';
export * from './authorize';
export * from './access.guard';
