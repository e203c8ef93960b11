import { ALL_TOPICS, TOPIC_SPECS } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { type JsonLogger, embeddedRecordsDropped } from '@app/observability';
import type { EventBus } from './event-bus';
import { InMemoryEventBus } from './in-memory-event-bus';
import { KafkaEventBus } from './kafka-event-bus';
import { kafkaConnection } from './kafka-connection';
import { NamespacedEventBus } from './namespaced-event-bus';
import { LogThrottle } from './log-throttle';

/** One factory for every app, so all of them configure Kafka the same way. */
export function createEventBus(config: AppConfig, logger: JsonLogger, embeddedDataDir?: string): EventBus {
  if (config.TRANSPORT === 'memory') {
    return new InMemoryEventBus({
      compactedTopics: new Set(ALL_TOPICS.filter((t) => TOPIC_SPECS[t].compacted)),
      persistDir: embeddedDataDir,
      retainBytes: config.EMBEDDED_TOPIC_RETENTION_BYTES,
      maxMessageBytes: config.KAFKA_MAX_MESSAGE_BYTES,
      onDrop: (topic, records) => {
        embeddedRecordsDropped.inc({ topic }, records);
        logger.event('warn', 'in-process topic over its retention: unread records dropped', { topic, records });
      },
    });
  }
  const throttle = new LogThrottle(5_000);
  const prefix = config.KAFKA_TOPIC_PREFIX;
  const kafka = new KafkaEventBus({
    ...kafkaConnection(config),
    clientId: config.KAFKA_CLIENT_ID,
    topics: NamespacedEventBus.topicSpecs(TOPIC_SPECS, prefix),
    sendTimeoutMs: config.KAFKA_SEND_TIMEOUT_MS,
    maxMessageBytes: config.KAFKA_MAX_MESSAGE_BYTES,
    commitIntervalMs: config.KAFKA_COMMIT_INTERVAL_MS,
    membershipGraceMs: config.KAFKA_MEMBERSHIP_GRACE_MS,
    fetchMaxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS,
    onLog: (level, message, fields) => {
      const suppressed = throttle.admit(`${level}:${message}`);
      if (suppressed !== undefined) logger.event(level, message, suppressed > 0 ? { ...fields, suppressed_since_last: suppressed } : fields);
    },
  });
  return prefix === '' ? kafka : new NamespacedEventBus(kafka, prefix);
}
