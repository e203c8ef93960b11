import { AsyncLocalStorage } from 'node:async_hooks';
import { activeTraceId } from './tracing/trace-context';

export interface RequestContext {
  /** The platform's own id (unique; the correlation key). */
  requestId: string;
  /** The caller's X-Request-Id, for tracing only. */
  clientRequestId?: string;
  /** The request's trace (tracing on), so every log line of it names its trace. */
  traceId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Lets every log line inside a request or event handler carry its request ids without threading them through calls. */
export function runWithRequestId<T>(requestId: string, fn: () => T, clientRequestId?: string, traceId?: string): T {
  return storage.run({ requestId, clientRequestId, traceId }, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

export function currentClientRequestId(): string | undefined {
  return storage.getStore()?.clientRequestId;
}

/** The trace of the request being handled, or of the active span outside one; undefined with tracing off. */
export function currentTraceId(): string | undefined {
  return storage.getStore()?.traceId ?? activeTraceId();
}
