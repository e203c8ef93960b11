import { connect as http2Connect } from 'node:http2';
import { connect as netConnect } from 'node:net';

/** HealthCheckResponse { status: SERVING }, in a gRPC message frame (not compressed, 2 bytes). */
const SERVING = Buffer.from([0, 0, 0, 0, 2, 0x08, 0x01]);

/**
 * grpc.health.v1.Health/Check for the whole server, over a bare HTTP/2 connection from a chosen
 * local address (all of 127.0.0.0/8 reaches this host; grpc-js clients cannot bind one).
 * Resolves with "SERVING", or with what went wrong: the gRPC status, a connection error, "timeout".
 */
export function healthCheckFrom(localAddress: string, port: number, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve) => {
    const session = http2Connect(`http://127.0.0.1:${port}`, { createConnection: () => netConnect({ host: '127.0.0.1', port, localAddress }) });
    let settled = false;
    const done = (outcome: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    session.on('error', (err: NodeJS.ErrnoException) => done(`connection ${err.code ?? err.message}`));
    session.on('close', () => done('connection closed'));
    const stream = session.request({ ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', te: 'trailers' });
    let body = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => (body = Buffer.concat([body, chunk])));
    stream.on('trailers', (trailers) => {
      const status = String(trailers['grpc-status']);
      done(status === '0' && body.equals(SERVING) ? 'SERVING' : `grpc-status ${status}`);
    });
    stream.on('error', (err: NodeJS.ErrnoException) => done(`stream ${err.code ?? err.message}`));
    // An empty HealthCheckRequest (service ""), in a message frame.
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}
