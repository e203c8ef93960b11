import { ALL_TOPICS, TOPIC_SPECS } from '@app/contracts';
import type { AppConfig } from '@app/config';
import type { JsonLogger } from '@app/observability';
import type { EventBus } from './event-bus';
import { InMemoryEventBus } from './in-memory-event-bus';
import { KafkaEventBus } from './kafka-event-bus';
import { kafkaConnection } from './kafka-connection';

/** One factory for every app, so all of them configure Kafka the same way. */
export function createEventBus(config: AppConfig, logger: JsonLogger, embeddedDataDir?: string): EventBus {
  if (config.TRANSPORT === 'memory') {
    const compacted = new Set(ALL_TOPICS.filter((t) => TOPIC_SPECS[t].compacted));
    return new InMemoryEventBus(compacted, embeddedDataDir);
  }
  return new KafkaEventBus({
    ...kafkaConnection(config),
    clientId: config.KAFKA_CLIENT_ID,
    topics: TOPIC_SPECS,
    onLog: (level, message, fields) => logger.event(level, message, fields),
  });
}
