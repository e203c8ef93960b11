export * from './event-bus';
export * from './in-memory-event-bus';
export * from './kafka-event-bus';
export * from './kafka-connection';
export * from './event-publisher';
export * from './contract-consumer';
export * from './event-bus.server';
export * from './create-event-bus';
