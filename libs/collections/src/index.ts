export * from './oldest-first';
