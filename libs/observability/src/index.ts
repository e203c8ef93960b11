export * from './request-context';
export * from './json-logger';
export * from './metrics';
export * from './readiness';
export * from './request-id.middleware';
export * from './health.controller';
export * from './observability.module';
export * from './redact';
