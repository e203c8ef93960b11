import type { Socket } from 'node:net';

/** What every HTTP/2 client sends first (RFC 9113, 3.4). */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * Hands a new connection on once it has sent the HTTP/2 client preface, within `timeoutMs`; one
 * that sends anything else, or not enough in time, is closed. An HTTP/2 server (grpc-js's
 * included) keeps a connection that never sends the preface open forever, and no idle timeout
 * applies before it: so thousands of silent sockets would hold a file descriptor each. What was
 * read is put back: Node's HTTP/2 session reads data already buffered on its socket
 * (nodejs/node#35475). `onRefused` hears of a connection closed here (not of one its client
 * closed or reset first).
 */
export function afterHttp2Preface(socket: Socket, timeoutMs: number, handOver: (socket: Socket) => void, onRefused?: () => void): void {
  let received = Buffer.alloc(0);
  const dropped = () => {
    if (!socket.destroyed) onRefused?.();
    socket.destroy();
  };
  const timer = setTimeout(dropped, timeoutMs);
  const onError = () => socket.destroy();
  const onData = (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    const seen = Math.min(received.length, PREFACE.length);
    if (!received.subarray(0, seen).equals(PREFACE.subarray(0, seen))) return stop(dropped);
    if (received.length >= PREFACE.length) stop(() => handOver(socket));
  };
  const stop = (then: () => void) => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', onError);
    socket.pause();
    socket.unshift(received);
    then();
  };
  socket.on('data', onData);
  // Until it is handed over, an error (a reset) is this code's to handle, or it would end the process.
  socket.on('error', onError);
  socket.once('close', () => clearTimeout(timer));
}
