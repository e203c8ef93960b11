import { ServiceProcess as Process } from '../../scripts/lib/service-process';
import { ELASTICSEARCH_URL, KAFKA_BROKERS } from './infra';

/**
 * Services for the e2e tests: the shared process runner pointed at the test's Kafka and
 * Elasticsearch. A gateway serves gRPC only when a test gives it a GRPC_PORT: several gateways
 * run at once, and the default port (8081) is one machine-wide.
 */
export const ServiceProcess = {
  start: (name: string, app: string, port: number, env: Record<string, string> = {}) =>
    Process.start(name, app, port, { KAFKA_BROKERS, ELASTICSEARCH_URL, LOG_LEVEL: 'info', GRPC_PORT: '0', ...env }),
};
export type ServiceProcess = Process;
