import { execFileSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? 'localhost:9092';
export const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL ?? 'http://localhost:9200';
/** The local broker's SASL_SSL listener and what scripts/infra/kafka.sh configures on it. */
export const KAFKA_SASL_SSL_BROKERS = process.env.KAFKA_SASL_SSL_BROKERS ?? `localhost:${process.env.KAFKA_SASL_SSL_PORT ?? 9094}`;
export const KAFKA_TLS_CA_FILE = join(ROOT, '.infra', 'kafka', 'tls', 'ca.pem');
export const KAFKA_TEST_SASL_USER = process.env.KAFKA_TEST_SASL_USER ?? 'iris-test';
export const KAFKA_TEST_SASL_PASSWORD = process.env.KAFKA_TEST_SASL_PASSWORD ?? 'iris-test-secret';

export function tcpReachable(hostPort: string, timeoutMs = 1500): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = createConnection({ host, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function runScript(script: string, ...args: string[]): void {
  execFileSync('bash', [join(ROOT, script), ...args], { stdio: 'inherit', cwd: ROOT });
}

