import { AsyncLocalStorage } from 'node:async_hooks';
import { traceIdOfParent } from '@app/contracts';
import { activeSpanTraceparent, activeTraceId } from './tracing/trace-context';

export interface RequestContext {
  /** The platform's own id (unique; the correlation key). */
  requestId: string;
  /** The caller's X-Request-Id, for tracing only. */
  clientRequestId?: string;
  /**
   * The request's trace context (tracing on): every log line of it names its trace, and what it
   * publishes continues it, sampled or not (an unsampled request has no active span to ask).
   */
  traceparent?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Lets every log line inside a request or event handler carry its request ids without threading them through calls. */
export function runWithRequestId<T>(requestId: string, fn: () => T, clientRequestId?: string, traceparent?: string): T {
  return storage.run({ requestId, clientRequestId, traceparent }, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

export function currentClientRequestId(): string | undefined {
  return storage.getStore()?.clientRequestId;
}

/** The trace of the request being handled, or of the active span outside one; undefined with tracing off. */
export function currentTraceId(): string | undefined {
  const traceparent = storage.getStore()?.traceparent;
  return traceparent ? traceIdOfParent(traceparent) : activeTraceId();
}

/** What an event published now continues: the active (recording) span, else the request's own trace context. */
export function activeTraceparent(): string | undefined {
  return activeSpanTraceparent() ?? storage.getStore()?.traceparent;
}
