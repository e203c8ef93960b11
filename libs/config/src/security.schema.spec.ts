import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load-config';

describe('Kafka and Elasticsearch credentials in the config', () => {
  let dir: string;
  let ca: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'security-config-'));
    ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to plaintext Kafka without SASL and Elasticsearch without credentials, verifying TLS peers', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      KAFKA_SSL: false,
      KAFKA_SSL_REJECT_UNAUTHORIZED: true,
      KAFKA_SASL_MECHANISM: 'none',
      ELASTICSEARCH_TLS_REJECT_UNAUTHORIZED: true,
    });
    for (const unset of [
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
      'KAFKA_SSL_CA_FILE',
      'ELASTICSEARCH_API_KEY',
      'ELASTICSEARCH_USERNAME',
      'ELASTICSEARCH_CA_FILE',
    ]) {
      expect(c).not.toHaveProperty(unset);
    }
  });

  it('accepts SASL over TLS with a CA file', () => {
    const c = loadConfig({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    expect(c).toMatchObject({
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'pw',
    });
  });

  it('names an unknown SASL mechanism', () => {
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM="gssapi": Invalid option/);
  });

  it('requires username and password with a SASL mechanism, naming both, and never echoes a password', () => {
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'plain' })).toThrow(
      'Invalid configuration: KAFKA_SASL_USERNAME (not set): is required when KAFKA_SASL_MECHANISM is plain; KAFKA_SASL_PASSWORD (not set): is required when KAFKA_SASL_MECHANISM is plain',
    );
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: 'hunter2' })).toThrow(
      'Invalid configuration: KAFKA_SASL_USERNAME (not set): is required when KAFKA_SASL_MECHANISM is scram-sha-256',
    );
    expect(() => loadConfig({ KAFKA_SASL_PASSWORD: 'hunter2' })).toThrow(
      'Invalid configuration: KAFKA_SASL_MECHANISM (not set): must be plain, scram-sha-256 or scram-sha-512 when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set',
    );
  });

  it('shows a secret as [REDACTED] when its own value is the problem', () => {
    const attempt = () => loadConfig({ ELASTICSEARCH_API_KEY: 'k3y-value', ELASTICSEARCH_USERNAME: 'elastic', ELASTICSEARCH_PASSWORD: 'hunter2' });
    expect(attempt).toThrow(
      'Invalid configuration: ELASTICSEARCH_API_KEY=[REDACTED]: cannot be combined with ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD: choose one way to authenticate',
    );
    expect(attempt).not.toThrow(/k3y-value|hunter2/);
  });

  it('requires the Elasticsearch username and password together', () => {
    expect(() => loadConfig({ ELASTICSEARCH_USERNAME: 'elastic' })).toThrow(
      'Invalid configuration: ELASTICSEARCH_PASSWORD (not set): is required with ELASTICSEARCH_USERNAME',
    );
    expect(() => loadConfig({ ELASTICSEARCH_PASSWORD: 'pw' })).toThrow(
      'Invalid configuration: ELASTICSEARCH_USERNAME (not set): is required with ELASTICSEARCH_PASSWORD',
    );
    expect(loadConfig({ ELASTICSEARCH_API_KEY: 'k' }).ELASTICSEARCH_API_KEY).toBe('k');
  });

  it('fails at start-up naming a certificate file that is missing or a directory', () => {
    const missing = join(dir, 'nope.pem');
    expect(() => loadConfig({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: missing })).toThrow(
      `Invalid configuration: KAFKA_SSL_CA_FILE="${missing}": is not a readable file`,
    );
    expect(() => loadConfig({ ELASTICSEARCH_CA_FILE: dir })).toThrow(`Invalid configuration: ELASTICSEARCH_CA_FILE="${dir}": is not a readable file`);
  });

  it('requires KAFKA_SSL=true for TLS files, and client certificate and key together', () => {
    expect(() => loadConfig({ KAFKA_SSL_CA_FILE: ca })).toThrow('Invalid configuration: KAFKA_SSL (not set): must be true when KAFKA_SSL_CA_FILE is set');
    expect(() => loadConfig({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: ca })).toThrow(
      'Invalid configuration: KAFKA_SSL_KEY_FILE (not set): is required with KAFKA_SSL_CERT_FILE (mutual TLS needs both)',
    );
    expect(loadConfig({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: ca, KAFKA_SSL_KEY_FILE: ca })).toMatchObject({
      KAFKA_SSL_CERT_FILE: ca,
      KAFKA_SSL_KEY_FILE: ca,
    });
  });
});
