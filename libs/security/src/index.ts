export * from './access';
export * from './api-keys';
export * from './auth-failures';
export * from './authorize';
export * from './access.guard';
export * from './client-address';
