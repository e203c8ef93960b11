import { TOPICS, TOPIC_SPECS } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher, replyPartitionFor, type EventBus } from '@app/messaging';
import { JsonLogger } from '@app/observability';

/** What every service is built from; the embedded mode hands all four the same bus. */
export interface ServiceContext {
  service: string;
  config: AppConfig;
  logger: JsonLogger;
  bus: EventBus;
  publisher: EventPublisher;
  /** The partition of the reply topic this instance reads (gateways). */
  replyPartition: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export function serviceContext(service: string, config: AppConfig, bus: EventBus, logger = new JsonLogger(service, config.LOG_LEVEL)): ServiceContext {
  const partitions = TOPIC_SPECS[TOPICS.predictionBatchMade].partitions;
  if (config.REPLY_PARTITION !== undefined && config.REPLY_PARTITION >= partitions) {
    throw new RangeError(`REPLY_PARTITION=${config.REPLY_PARTITION} must be below the reply topic's ${partitions} partitions`);
  }
  return {
    service,
    config,
    logger,
    bus,
    publisher: new EventPublisher(bus, `${service}/${config.INSTANCE_ID}`),
    replyPartition: config.REPLY_PARTITION ?? replyPartitionFor(config.INSTANCE_ID, partitions),
  };
}
