import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { eventually, postJson } from './support/http';
import { KAFKA_SASL_SSL_BROKERS, KAFKA_TEST_SASL_PASSWORD, KAFKA_TEST_SASL_USER, KAFKA_TLS_CA_FILE, ROOT, tcpReachable } from './support/infra';
import { testPort } from './support/ports';
import { ServiceProcess } from './support/service-process';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const VIRGINICA = { sepal_length: 6.3, sepal_width: 3.3, petal_length: 6.0, petal_width: 2.5 };
const run = randomUUID().slice(0, 8);
const logOf = (service: ServiceProcess) => {
  const file = join(ROOT, '.infra', 'test', `${service.name}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
};

/** What a deployment against a secured cluster sets: the SASL_SSL listener of the local broker, its CA, the test user. */
const securedEnv = (mechanism: 'scram-sha-512' | 'plain', password = KAFKA_TEST_SASL_PASSWORD): Record<string, string> => ({
  KAFKA_BROKERS: KAFKA_SASL_SSL_BROKERS,
  KAFKA_SSL: 'true',
  KAFKA_SSL_CA_FILE: KAFKA_TLS_CA_FILE,
  KAFKA_SASL_MECHANISM: mechanism,
  KAFKA_SASL_USERNAME: KAFKA_TEST_SASL_USER,
  KAFKA_SASL_PASSWORD: password,
  MONITOR_SINK: 'file',
});

async function connectAdmin(config: Partial<KafkaConfig>): Promise<void> {
  const admin = new Kafka({
    clientId: `e2e-security-${run}`,
    brokers: KAFKA_SASL_SSL_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 0 },
    ...config,
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

describe('Kafka over SASL_SSL: TLS with a private CA, SCRAM-SHA-512 and PLAIN', () => {
  beforeAll(async () => {
    if (!(await tcpReachable(KAFKA_SASL_SSL_BROKERS.split(',')[0]))) {
      throw new Error(`no SASL_SSL listener at ${KAFKA_SASL_SSL_BROKERS}: start the local broker with scripts/infra/kafka.sh up`);
    }
  });

  describe.each([
    // Offsets 1-3, 5-7 and 9: one block of ten for the spec.
    ['scram-sha-512', testPort(0)],
    ['plain', testPort(4)],
  ] as const)('with %s', (mechanism, basePort) => {
    const services: ServiceProcess[] = [];
    let gateway: ServiceProcess;

    beforeAll(async () => {
      const env = securedEnv(mechanism);
      const trainer = ServiceProcess.start(`trainer-${mechanism}-${run}`, 'trainer', basePort + 2, env);
      services.push(trainer);
      await trainer.waitReady();
      gateway = ServiceProcess.start(`gateway-${mechanism}-${run}`, 'gateway', basePort + 1, env);
      services.push(ServiceProcess.start(`worker-${mechanism}-${run}`, 'inference-worker', basePort + 3, env), gateway);
      await Promise.all(services.map((s) => s.waitReady()));
    });
    afterAll(() => Promise.all(services.map((s) => s.stop())));

    it('a gateway, trainer and worker on the secured listener answer predictions with the right class', async () => {
      const setosa = await postJson(`${gateway.url}/predict`, SETOSA, { 'x-request-id': `sasl-${mechanism}-${run}` });
      expect(setosa.status).toBe(200);
      expect(setosa.body).toMatchObject({ status: 'success', prediction: 'setosa', class_id: 0, client_request_id: `sasl-${mechanism}-${run}` });
      const batch = await postJson(`${gateway.url}/predict/batch`, { instances: [VIRGINICA, SETOSA] });
      expect(batch.status).toBe(200);
      expect(batch.body.predictions.map((p: { prediction: string }) => p.prediction)).toEqual(['virginica', 'setosa']);
    });

    it('no service writes the password to its log', () => {
      for (const service of services) expect(logOf(service)).not.toContain(KAFKA_TEST_SASL_PASSWORD);
    });
  });

  it('a service with a wrong password does not become ready, and its log names the authentication failure but not the password', async () => {
    const wrongPassword = `wrong-password-${run}`;
    const gateway = ServiceProcess.start(`gateway-badpw-${run}`, 'gateway', testPort(9), securedEnv('scram-sha-512', wrongPassword));
    try {
      const log = await eventually(
        async () => (/authentication failed/i.test(logOf(gateway)) ? logOf(gateway) : undefined),
        30_000,
        'an authentication failure in the log',
      );
      expect(log).toContain(
        'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      );
      expect(log).not.toContain(wrongPassword);
      await expect(gateway.waitReady(3000)).rejects.toThrow(/exited with 1|not ready within/);
    } finally {
      await gateway.stop();
    }
  });

  it('refuses a client that does not speak TLS, and one that does not trust the CA', async () => {
    const sasl = { mechanism: 'scram-sha-512' as const, username: KAFKA_TEST_SASL_USER, password: KAFKA_TEST_SASL_PASSWORD };
    await expect(connectAdmin({ sasl })).rejects.toThrow(/Closed connection|Connection error/);
    await expect(connectAdmin({ ssl: true, sasl })).rejects.toThrow(/self-signed certificate in certificate chain/);
    // The same client with TLS and the CA gets in: the refusals above are about TLS, not the credentials.
    await expect(connectAdmin({ ssl: { ca: [readFileSync(KAFKA_TLS_CA_FILE)] }, sasl })).resolves.toBeUndefined();
  });
});
