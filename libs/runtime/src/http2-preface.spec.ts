import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterHttp2Preface } from './http2-preface';

const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

/** Sends `parts` (each after a pause) to a server that applies afterHttp2Preface; resolves with what the handed-over socket reads, or "closed". */
async function deliver(parts: string[], timeoutMs = 1000, refusals: string[] = []): Promise<string> {
  let outcome!: (value: string) => void;
  const result = new Promise<string>((r) => (outcome = r));
  const server = createServer((socket) => {
    socket.once('close', () => outcome('closed'));
    afterHttp2Preface(
      socket,
      timeoutMs,
      (ready: Socket) => {
        let read = '';
        ready.on('data', (c: Buffer) => (read += c.toString('latin1')));
        setTimeout(() => outcome(read), 100);
        ready.resume();
      },
      () => refusals.push('refused'),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.on('error', () => undefined);
  for (const part of parts) {
    await new Promise((r) => setTimeout(r, 20));
    client.write(part);
  }
  const value = await result;
  client.destroy();
  server.close();
  return value;
}

describe('afterHttp2Preface', () => {
  it('hands the socket over once the preface arrived, even in pieces, with every byte read so far put back', async () => {
    expect(await deliver([PREFACE.slice(0, 5), PREFACE.slice(5) + '\x00\x00\x00\x04'])).toBe(`${PREFACE}\x00\x00\x00\x04`);
  });

  it('closes a socket that sends something else as soon as it differs', async () => {
    expect(await deliver(['GET / HTTP/1.1\r\n'], 60_000)).toBe('closed');
  });

  it('closes a socket that has not sent the whole preface in time', async () => {
    expect(await deliver([PREFACE.slice(0, 10)], 200)).toBe('closed');
  });

  it('tells onRefused of each socket it closes, and of no other', async () => {
    const refusals: string[] = [];
    await deliver(['GET / HTTP/1.1\r\n'], 60_000, refusals);
    await deliver([PREFACE.slice(0, 10)], 200, refusals);
    await deliver([PREFACE], 1000, refusals);
    expect(refusals).toEqual(['refused', 'refused']);
  });

  it('does not call a socket its client closed first refused', async () => {
    const refusals: string[] = [];
    let closed!: () => void;
    const serverSideClosed = new Promise<void>((r) => (closed = r));
    const server = createServer((socket) => {
      socket.once('close', closed);
      afterHttp2Preface(
        socket,
        60_000,
        () => undefined,
        () => refusals.push('refused'),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1', () => client.destroy());
    await serverSideClosed;
    server.close();
    expect(refusals).toEqual([]);
  });
});
