import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { kafkaConnection } from './kafka-connection';

describe('kafkaConnection', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kafka-connection-'));
    writeFileSync(path('ca.pem'), 'CA PEM');
    writeFileSync(path('client.pem'), 'CLIENT CERT');
    writeFileSync(path('client.key'), 'CLIENT KEY');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('connects in plaintext without SASL by default', () => {
    expect(kafkaConnection(loadConfig({ KAFKA_BROKERS: 'a:9092, b:9092' }))).toEqual({ brokers: ['a:9092', 'b:9092'] });
  });

  it('uses TLS with the system CAs when no CA file is given', () => {
    expect(kafkaConnection(loadConfig({ KAFKA_SSL: 'true' }))).toEqual({ brokers: ['localhost:9092'], ssl: { rejectUnauthorized: true } });
  });

  it('reads the CA, client certificate and key for mutual TLS', () => {
    const connection = kafkaConnection(
      loadConfig({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: path('ca.pem'),
        KAFKA_SSL_CERT_FILE: path('client.pem'),
        KAFKA_SSL_KEY_FILE: path('client.key'),
        KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
      }),
    );
    expect(connection.ssl).toEqual({
      rejectUnauthorized: false,
      ca: [Buffer.from('CA PEM')],
      cert: Buffer.from('CLIENT CERT'),
      key: Buffer.from('CLIENT KEY'),
    });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('passes %s credentials to kafkajs', (mechanism) => {
    const connection = kafkaConnection(loadConfig({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw' }));
    expect(connection).toEqual({ brokers: ['localhost:9092'], sasl: { mechanism, username: 'svc', password: 'pw' } });
  });

  it('refuses a hand-built config with a mechanism but no password', () => {
    const config = { ...loadConfig({}), KAFKA_SASL_MECHANISM: 'plain' as const, KAFKA_SASL_USERNAME: 'svc' };
    expect(() => kafkaConnection(config)).toThrow('KAFKA_SASL_MECHANISM=plain needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  });
});
