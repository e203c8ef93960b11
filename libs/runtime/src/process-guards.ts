import { type JsonLogger, currentRequestId, unhandledRejections } from '@app/observability';

/**
 * What a service does with failures nothing else caught. An unhandled rejection is one
 * request's (or one handler's) promise that nobody awaited: it is logged with its request id
 * and counted, and the process keeps serving, because ending the process would fail every
 * other request in flight for one bug. An uncaught exception may have left state half-changed,
 * so the process logs it and exits non-zero for its supervisor (stack.sh, compose, Kubernetes)
 * to restart it.
 */
export function installProcessGuards(logger: JsonLogger): void {
  process.on('unhandledRejection', (reason) => {
    unhandledRejections.inc();
    const err = reason as Error & { requestId?: string };
    logger.event('error', 'unhandled promise rejection', {
      request_id: err?.requestId ?? currentRequestId(),
      error: err?.message ?? String(reason),
      stack: err?.stack,
    });
  });
  process.on('uncaughtException', (err) => {
    logger.event('error', 'uncaught exception: exiting for the supervisor to restart', { error: err.message, stack: err.stack });
    process.exit(70); // EX_SOFTWARE
  });
}

/**
 * Installs SIGTERM/SIGINT handlers at once, before any await of start-up, so a signal during
 * start-up is not the default "die now". `stop` runs once; a second signal forces the exit.
 */
export function onShutdownSignal(logger: JsonLogger, stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.event('warn', 'second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.event('info', 'shutting down', { signal });
    stop(signal).then(
      () => process.exit(0),
      (err: Error) => {
        logger.event('error', 'shutdown failed', { error: err.message, stack: err.stack });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
