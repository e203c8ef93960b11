import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { createElasticsearchClient } from './elasticsearch-client';

/** Makes a CA and, if `server` is set, a certificate it signs for 127.0.0.1 (EC keys: fast to make). */
function makeCertificates(dir: string, name: string, server: boolean): void {
  // Arguments without spaces, so one string per command reads like the shell line it is.
  const openssl = (args: string) => execFileSync('openssl', args.split(' '), { cwd: dir, stdio: 'pipe' });
  const ecKey = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  openssl(
    `req -x509 ${ecKey} -days 1 -subj /CN=${name}-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign -keyout ${name}-ca.key -out ${name}-ca.pem`,
  );
  if (!server) return;
  openssl(`req ${ecKey} -subj /CN=localhost -keyout server.key -out server.csr`);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(`x509 -req -days 1 -in server.csr -CA ${name}-ca.pem -CAkey ${name}-ca.key -CAcreateserial -extfile server.ext -out server.pem`);
}

describe('createElasticsearchClient against an HTTPS server with a private CA', () => {
  let dir: string;
  let server: Server;
  let url: string;
  const seen: { authorization?: string }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'es-client-'));
    makeCertificates(dir, 'trusted', true);
    makeCertificates(dir, 'other', false);
    server = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (req, res) => {
      seen.push({ authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(JSON.stringify({ name: 'fake-node', cluster_name: 'test', version: { number: '9.1.0' }, tagline: 'You Know, for Search' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => (seen.length = 0));

  const clientFor = (env: Record<string, string>) => createElasticsearchClient(loadConfig({ ELASTICSEARCH_URL: url, ...env }));

  it('sends basic auth and trusts the configured CA', async () => {
    const client = clientFor({ ELASTICSEARCH_USERNAME: 'elastic', ELASTICSEARCH_PASSWORD: 'pa:ss word', ELASTICSEARCH_CA_FILE: join(dir, 'trusted-ca.pem') });
    expect((await client.info()).cluster_name).toBe('test');
    expect(seen).toEqual([{ authorization: `Basic ${Buffer.from('elastic:pa:ss word').toString('base64')}` }]);
    await client.close();
  });

  it('sends an API key as `ApiKey <key>`', async () => {
    const client = clientFor({
      ELASTICSEARCH_API_KEY: 'VnVUQ2xKMEJ6Y3Z6Ql9fRTE6dWk3MEpHaF9RMldfd3pNOHRjZw==',
      ELASTICSEARCH_CA_FILE: join(dir, 'trusted-ca.pem'),
    });
    await client.info();
    expect(seen).toEqual([{ authorization: 'ApiKey VnVUQ2xKMEJ6Y3Z6Ql9fRTE6dWk3MEpHaF9RMldfd3pNOHRjZw==' }]);
    await client.close();
  });

  it('sends no Authorization header without credentials', async () => {
    const client = clientFor({ ELASTICSEARCH_CA_FILE: join(dir, 'trusted-ca.pem') });
    await client.info();
    expect(seen).toEqual([{ authorization: undefined }]);
    await client.close();
  });

  it('refuses a server whose certificate another CA signed, before sending the credentials', async () => {
    const client = clientFor({ ELASTICSEARCH_API_KEY: 'secret-key', ELASTICSEARCH_CA_FILE: join(dir, 'other-ca.pem') });
    await expect(client.info()).rejects.toThrow(/self[- ]signed certificate|unable to verify|unable to get local issuer/i);
    expect(seen).toEqual([]);
    await client.close();
  });

  it('without a CA file, connects to a private-CA server only when verification is switched off', async () => {
    const verifying = clientFor({});
    await expect(verifying.info()).rejects.toThrow(/unable to verify|unable to get local issuer/i);
    await verifying.close();
    expect(seen).toEqual([]);
    const trusting = clientFor({ ELASTICSEARCH_TLS_REJECT_UNAUTHORIZED: 'false' });
    await trusting.info();
    expect(seen).toHaveLength(1);
    await trusting.close();
  });
});
