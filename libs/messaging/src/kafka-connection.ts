import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { AppConfig } from '@app/config';

export type KafkaConnectionConfig = Pick<
  AppConfig,
  | 'KAFKA_BROKERS'
  | 'KAFKA_SSL'
  | 'KAFKA_SSL_CA_FILE'
  | 'KAFKA_SSL_CERT_FILE'
  | 'KAFKA_SSL_KEY_FILE'
  | 'KAFKA_SSL_REJECT_UNAUTHORIZED'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
>;

export interface KafkaConnection {
  brokers: string[];
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
}

/**
 * Where and how every Kafka client of the platform connects (services, the retrain CLI):
 * bootstrap brokers, TLS (a private CA, mutual TLS) and SASL credentials, from the validated
 * config. Without KAFKA_SSL_CA_FILE the system's trusted CAs apply, as for any TLS client.
 */
export function kafkaConnection(config: KafkaConnectionConfig): KafkaConnection {
  const connection: KafkaConnection = { brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()) };
  if (config.KAFKA_SSL) {
    connection.ssl = {
      rejectUnauthorized: config.KAFKA_SSL_REJECT_UNAUTHORIZED,
      ...(config.KAFKA_SSL_CA_FILE && { ca: [readFileSync(config.KAFKA_SSL_CA_FILE)] }),
      ...(config.KAFKA_SSL_CERT_FILE && { cert: readFileSync(config.KAFKA_SSL_CERT_FILE) }),
      ...(config.KAFKA_SSL_KEY_FILE && { key: readFileSync(config.KAFKA_SSL_KEY_FILE) }),
    };
  }
  if (config.KAFKA_SASL_MECHANISM !== 'none') {
    // loadConfig guarantees both are set with a mechanism; the check keeps a hand-built config honest.
    if (!config.KAFKA_SASL_USERNAME || !config.KAFKA_SASL_PASSWORD) {
      throw new Error(`KAFKA_SASL_MECHANISM=${config.KAFKA_SASL_MECHANISM} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`);
    }
    connection.sasl = { mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME, password: config.KAFKA_SASL_PASSWORD };
  }
  return connection;
}
