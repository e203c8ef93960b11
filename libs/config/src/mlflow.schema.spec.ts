import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load-config';

describe('MLflow settings', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'mlflow-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is off by default, with the documented experiment, timeout and retry cap', () => {
    const c = loadConfig({});
    expect(c.MLFLOW_TRACKING_URI).toBeUndefined();
    expect(c).toMatchObject({ MLFLOW_EXPERIMENT_NAME: 'iris-platform', MLFLOW_REQUEST_TIMEOUT_MS: 10000, MLFLOW_RETRY_MAX_MS: 30000 });
  });

  it('takes a server with a token, or a user and a password read from a file', () => {
    expect(loadConfig({ MLFLOW_TRACKING_URI: 'https://mlflow.example.com/prefix', MLFLOW_TRACKING_TOKEN: 't0ken' })).toMatchObject({
      MLFLOW_TRACKING_URI: 'https://mlflow.example.com/prefix',
      MLFLOW_TRACKING_TOKEN: 't0ken',
    });
    const password = join(dir, 'mlflow-password');
    writeFileSync(password, 'hunter2\n');
    expect(
      loadConfig({ MLFLOW_TRACKING_URI: 'http://mlflow:5000', MLFLOW_TRACKING_USERNAME: 'trainer', MLFLOW_TRACKING_PASSWORD_FILE: password }),
    ).toMatchObject({ MLFLOW_TRACKING_USERNAME: 'trainer', MLFLOW_TRACKING_PASSWORD: 'hunter2' });
  });

  it('refuses a URI that is not http(s)', () => {
    expect(() => loadConfig({ MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' })).toThrow(
      'Invalid configuration: MLFLOW_TRACKING_URI="file:///tmp/mlruns": must be an http:// or https:// URL of an MLflow tracking server',
    );
  });

  it('refuses credentials without a server, half a user, or both kinds, never echoing a secret', () => {
    expect(() => loadConfig({ MLFLOW_TRACKING_TOKEN: 'secret-token' })).toThrow(
      'Invalid configuration: MLFLOW_TRACKING_URI (not set): is required when MLFLOW_TRACKING_TOKEN is set',
    );
    expect(() => loadConfig({ MLFLOW_TRACKING_URI: 'http://mlflow:5000', MLFLOW_TRACKING_USERNAME: 'trainer' })).toThrow(
      'Invalid configuration: MLFLOW_TRACKING_PASSWORD (not set): is required with MLFLOW_TRACKING_USERNAME',
    );
    const both = () =>
      loadConfig({
        MLFLOW_TRACKING_URI: 'http://mlflow:5000',
        MLFLOW_TRACKING_TOKEN: 'secret-token',
        MLFLOW_TRACKING_USERNAME: 'u',
        MLFLOW_TRACKING_PASSWORD: 'pw-9',
      });
    expect(both).toThrow(
      'Invalid configuration: MLFLOW_TRACKING_TOKEN=[REDACTED]: cannot be combined with MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD: choose one way to authenticate',
    );
    expect(both).not.toThrow(/secret-token|pw-9/);
  });
});
