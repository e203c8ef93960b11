import type { LoggerService } from '@nestjs/common';
import { redact } from './redact';
import { currentClientRequestId, currentRequestId, currentTraceId } from './request-context';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

type Sink = (line: string) => void;

/**
 * One JSON object per line on stdout, the shape log shippers (Filebeat, Vector, Loki)
 * ingest without parsing rules. Implements Nest's LoggerService so framework logs are
 * structured too.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly service: string,
    private readonly minLevel: LogLevel = 'info',
    private readonly sink: Sink = (line) => process.stdout.write(line + '\n'),
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  /**
   * Structured event: a message plus fields, e.g. `logger.event('info', 'prediction served', { latency_ms })`.
   * Every line, Nest's and kafkajs' included, passes redact(): a secret in a log is a leaked secret.
   */
  event(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (LEVELS[level] < LEVELS[this.minLevel]) return;
    this.sink(
      JSON.stringify(
        redact({
          timestamp: new Date().toISOString(),
          level,
          service: this.service,
          message,
          request_id: currentRequestId(),
          client_request_id: currentClientRequestId(),
          trace_id: currentTraceId(),
          ...fields,
        }),
      ),
    );
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context as the last string argument and a stack trace before it on errors.
    const args = [...rest];
    const context = args.length > 0 && typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const fields: Record<string, unknown> = { context };
    if (level === 'error' && typeof args[0] === 'string') fields.stack = args[0];
    if (message instanceof Error) {
      fields.error = message.message;
      fields.stack = message.stack;
      this.event(level, message.message, fields);
    } else if (typeof message === 'object' && message !== null) {
      const { message: msg, ...others } = message as Record<string, unknown>;
      this.event(level, String(msg ?? ''), { ...fields, ...others });
    } else {
      this.event(level, String(message), fields);
    }
  }
}
