import type { IncomingMessage, ServerResponse } from 'node:http';

export interface DiscardLimits {
  maxBytes: number;
  timeoutMs: number;
}

/**
 * Answers a request whose body is refused (413) once the client has finished sending it. Closing
 * while the client still writes resets the connection, and a client that writes its whole body
 * before reading (Python's urllib) then sees BrokenPipeError instead of the 413. So the rest of
 * the body is read and thrown away, up to `maxBytes` and for at most `timeoutMs`; past either
 * bound the answer goes out at once and the connection closes (a reset for such a client, but
 * the gateway reads no more). Plain node:http types: any framework's refusal can call it.
 */
export function answerAfterDiscardingBody(req: IncomingMessage, res: ServerResponse, limits: DiscardLimits, answer: () => void): void {
  res.setHeader('Connection', 'close');
  if (req.complete) return answer();
  let discarded = 0;
  let answered = false;
  const finish = () => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    req.off('data', onData);
    answer();
  };
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limits.maxBytes) finish();
  };
  const timer = setTimeout(finish, limits.timeoutMs);
  req.on('data', onData);
  req.once('end', finish);
  req.once('close', finish);
  // A body parser that gave up on the body paused the stream.
  req.resume();
}
