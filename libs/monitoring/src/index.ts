export * from './index-names';
export * from './index-templates';
export * from './event-documents';
export * from './traffic-monitor';
export * from './retrain-cooldown';
