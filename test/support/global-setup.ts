import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ELASTICSEARCH_URL, KAFKA_BROKERS, KAFKA_SASL_SSL_BROKERS, ROOT, runScript, tcpReachable } from './infra';

/**
 * End-to-end tests run the built services as real processes against a real broker: the one
 * at KAFKA_BROKERS (and Elasticsearch at ELASTICSEARCH_URL) when it answers, otherwise the local
 * one started here (and stopped in teardown).
 */
export default async function globalSetup(): Promise<void> {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', cwd: ROOT });
  mkdirSync(join(ROOT, '.infra', 'test'), { recursive: true });
  const firstBroker = KAFKA_BROKERS.split(',')[0];
  if (!(await tcpReachable(firstBroker))) {
    runScript('scripts/infra/kafka.sh', 'up');
    writeFileSync(join(ROOT, '.infra', 'test', 'started-kafka'), '');
  } else if (!(await tcpReachable(KAFKA_SASL_SSL_BROKERS.split(',')[0])) && existsSync(join(ROOT, '.infra', 'kafka', 'kafka.pid'))) {
    // A local broker started before kafka.sh had the SASL_SSL listener: `up` restarts it with one.
    runScript('scripts/infra/kafka.sh', 'up');
  }
  if (!(await tcpReachable(new URL(ELASTICSEARCH_URL).host))) {
    runScript('scripts/infra/elasticsearch.sh', 'up');
    writeFileSync(join(ROOT, '.infra', 'test', 'started-elasticsearch'), '');
  }
}
