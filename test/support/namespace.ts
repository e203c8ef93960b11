import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { ELASTICSEARCH_URL, KAFKA_BROKERS } from './infra';

export interface TestNamespace {
  /** Unique to this run of the spec: for service and client names. */
  run: string;
  /** KAFKA_TOPIC_PREFIX: before every topic and consumer group on the broker. */
  kafkaPrefix: string;
  /** ES_INDEX_PREFIX: before every index and index template. */
  indexPrefix: string;
  /** The services' settings that put them in this namespace. */
  env: { KAFKA_TOPIC_PREFIX: string; ES_INDEX_PREFIX: string };
  /** Deletes the namespace's topics, consumer groups, indices and templates; call once its services stopped. */
  remove(): Promise<void>;
}

/**
 * A spec's own corner of the shared broker and Elasticsearch. With its topics, groups and indices
 * under a prefix of this run, it starts from an empty registry (its trainer registers version 1)
 * and empty topics, whatever earlier runs or other specs left, and it leaves nothing behind.
 */
export function testNamespace(spec: string): TestNamespace {
  const run = randomUUID().slice(0, 8);
  const name = `e2e-${spec}-${run}`;
  const kafkaPrefix = `${name}.`;
  return {
    run,
    kafkaPrefix,
    indexPrefix: name,
    env: { KAFKA_TOPIC_PREFIX: kafkaPrefix, ES_INDEX_PREFIX: name },
    async remove() {
      const admin = new Kafka({ clientId: `${name}-cleanup`, brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(kafkaPrefix));
        // A group whose members have only just left may not be empty yet; Kafka expires it later anyway.
        if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(kafkaPrefix));
        if (topics.length > 0) await admin.deleteTopics({ topics });
      } finally {
        await admin.disconnect();
      }
      const es = new Client({ node: ELASTICSEARCH_URL });
      try {
        await es.indices.delete({ index: `${name}-*`, ignore_unavailable: true, allow_no_indices: true });
        await es.indices.deleteIndexTemplate({ name: `${name}-*` }).catch(() => undefined);
      } finally {
        await es.close();
      }
    },
  };
}
