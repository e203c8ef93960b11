import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load-config';

describe('secrets from files (<NAME>_FILE)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'secret-files-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('reads each secret from its file, without the trailing line break', () => {
    const c = loadConfig({
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD_FILE: file('kafka-password', 's3cret with spaces\n'),
      ELASTICSEARCH_API_KEY_FILE: file('es-api-key', 'VnVUQ2xKMEJ==\r\n'),
    });
    expect(c.KAFKA_SASL_PASSWORD).toBe('s3cret with spaces');
    expect(c.ELASTICSEARCH_API_KEY).toBe('VnVUQ2xKMEJ==');
  });

  it('reads the Elasticsearch password from a file', () => {
    const c = loadConfig({ ELASTICSEARCH_USERNAME: 'elastic', ELASTICSEARCH_PASSWORD_FILE: file('es-password', 'changeme') });
    expect(c.ELASTICSEARCH_PASSWORD).toBe('changeme');
  });

  it('names the variable whose file is missing or empty', () => {
    const missing = join(dir, 'missing');
    expect(() => loadConfig({ KAFKA_SASL_PASSWORD_FILE: missing })).toThrow(
      `Invalid configuration: KAFKA_SASL_PASSWORD_FILE="${missing}": cannot be read (ENOENT)`,
    );
    const empty = file('empty', '\n');
    expect(() => loadConfig({ ELASTICSEARCH_PASSWORD_FILE: empty })).toThrow(
      `Invalid configuration: ELASTICSEARCH_PASSWORD_FILE="${empty}": the file is empty`,
    );
    expect(() => loadConfig({ ELASTICSEARCH_API_KEY_FILE: dir })).toThrow(
      `Invalid configuration: ELASTICSEARCH_API_KEY_FILE="${dir}": cannot be read (EISDIR)`,
    );
  });

  it('refuses a secret given both directly and as a file', () => {
    const path = file('both', 'pw');
    expect(() => loadConfig({ KAFKA_SASL_PASSWORD: 'pw', KAFKA_SASL_PASSWORD_FILE: path })).toThrow(
      `Invalid configuration: KAFKA_SASL_PASSWORD_FILE="${path}": cannot be combined with KAFKA_SASL_PASSWORD; set only one`,
    );
  });

  it('still applies the cross-field rules to a secret read from a file', () => {
    expect(() => loadConfig({ KAFKA_SASL_PASSWORD_FILE: file('orphan', 'pw') })).toThrow(/KAFKA_SASL_MECHANISM \(not set\): must be plain/);
  });
});
