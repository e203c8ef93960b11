import { loadConfig } from '@app/config';
import { createEventBus, type EventBus } from '@app/messaging';
import { JsonLogger } from '@app/observability';
import { KAFKA_BROKERS } from './infra';

/** A bus on the test broker, configured by the services' own factory; in a test namespace when given its prefix. */
export function kafkaTestBus(clientId: string, topicPrefix = ''): EventBus {
  return createEventBus(
    loadConfig({ ...process.env, KAFKA_BROKERS, KAFKA_CLIENT_ID: clientId, KAFKA_TOPIC_PREFIX: topicPrefix, TRANSPORT: 'kafka' }),
    new JsonLogger(clientId, 'error'),
  );
}
