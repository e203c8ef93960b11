import type { NextFunction, Request, Response } from 'express';
import { sendError } from './error-response';

/**
 * Tracks HTTP requests in flight so shutdown can let them finish. Once draining, a request
 * that still arrives (on a kept-alive connection, or before the load balancer noticed /ready
 * failing) is answered 503 with `Connection: close` rather than started.
 */
export class HttpDrain {
  private inFlight = 0;
  private draining = false;
  private idleWaiters: Array<() => void> = [];

  get isDraining(): boolean {
    return this.draining;
  }

  get active(): number {
    return this.inFlight;
  }

  middleware() {
    return (_req: Request, res: Response, next: NextFunction): void => {
      if (this.draining) {
        res.setHeader('Connection', 'close');
        sendError(res, 503, { status: 'error', error: 'shutting_down', message: 'This instance is shutting down; retry' });
        return;
      }
      this.inFlight++;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        if (--this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
      };
      res.once('finish', finish);
      res.once('close', finish);
      next();
    };
  }

  /** Stops taking requests and resolves when those in flight finished, or after `timeoutMs`, with how many were left. */
  async drain(timeoutMs: number): Promise<number> {
    this.draining = true;
    if (this.inFlight === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((r) => this.idleWaiters.push(r)), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    return this.inFlight;
  }
}
