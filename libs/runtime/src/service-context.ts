import type { AppConfig } from '@app/config';
import type { EventBus, EventPublisher } from '@app/messaging';
import type { JsonLogger } from '@app/observability';

/** What every service is built from; the embedded mode hands all four the same bus. */
export interface ServiceContext {
  service: string;
  config: AppConfig;
  logger: JsonLogger;
  bus: EventBus;
  publisher: EventPublisher;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
