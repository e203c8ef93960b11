import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { startTestPlatform } from './support/embedded';
import { ROOT } from './support/infra';

// scripts/test-prereqs.sh (run before `npm test`) installs requests here; urllib is the system Python's.
const VENV_PYTHON = join(ROOT, '.tools', 'triton-venv', 'bin', 'python');
const SCRIPT = join(ROOT, 'test', 'reference', 'post_oversized.py');
const MB = 1_000_000;

/** What a Python client saw posting `bytes` to /predict (run asynchronously: the gateway answering it is in this process). */
async function python(exe: string, url: string, bytes: number, client: string): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(exe, [SCRIPT, url, String(bytes), client], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/**
 * A body over BODY_LIMIT is answered 413 only once the client has sent it (read and discarded up
 * to HTTP_DISCARD_MAX_BYTES, for at most HTTP_DISCARD_TIMEOUT_MS): Python's clients write the
 * whole body before reading, and a gateway that closes first leaves them a broken pipe.
 */
describe('a body over BODY_LIMIT, sent by clients that write it all before reading (embedded mode)', () => {
  let platform: EmbeddedPlatform;
  let port: number;
  let url: string;

  beforeAll(async () => {
    if (!existsSync(VENV_PYTHON)) throw new Error(`${VENV_PYTHON} is missing: run bash scripts/test-prereqs.sh (npm test does)`);
    ({ platform } = await startTestPlatform('refused-body', { HTTP_DISCARD_TIMEOUT_MS: '1000' }));
    port = (platform.gateway.getHttpServer().address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}/predict`;
  });
  afterAll(() => platform?.close());

  it.each([
    ["Python's urllib, with a Content-Length", 'python3', 'urllib'],
    ["Python's urllib, chunked", 'python3', 'urllib-chunked'],
    ['requests', VENV_PYTHON, 'requests'],
  ])('lets %s read the 413 for a 10 MB body', async (_name, exe, client) => {
    expect(await python(exe, url, 10 * MB, client)).toEqual({ client, status: 413, error: 'payload_too_large' });
  });

  it('reads no more than HTTP_DISCARD_MAX_BYTES (16 MiB): a 40 MB body is cut off', async () => {
    expect(await python('python3', url, 40 * MB, 'urllib')).toEqual({ client: 'urllib', exception: 'URLError', cause: 'BrokenPipeError' });
  });

  it('waits no longer than HTTP_DISCARD_TIMEOUT_MS for a client that stops sending, then answers 413 and closes', async () => {
    const started = Date.now();
    const { head, closedAfter } = await new Promise<{ head: string; closedAfter: number }>((resolve, reject) => {
      let received = '';
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 * MB}\r\n\r\n{"pad":"xxxx`),
      );
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('close', () => resolve({ head: received.split('\r\n\r\n')[0], closedAfter: Date.now() - started }));
      socket.on('error', reject);
    });
    expect(head).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(head).toMatch(/\r\nConnection: close\r\n/i);
    expect(closedAfter).toBeGreaterThanOrEqual(1000);
    expect(closedAfter).toBeLessThan(8000);
  });

  it('still serves', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }),
    });
    expect(res.status).toBe(200);
  });
});
