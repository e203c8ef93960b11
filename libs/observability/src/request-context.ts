import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  /** The platform's own id (unique; the correlation key). */
  requestId: string;
  /** The caller's X-Request-Id, for tracing only. */
  clientRequestId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Lets every log line inside a request or event handler carry its request ids without threading them through calls. */
export function runWithRequestId<T>(requestId: string, fn: () => T, clientRequestId?: string): T {
  return storage.run({ requestId, clientRequestId }, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

export function currentClientRequestId(): string | undefined {
  return storage.getStore()?.clientRequestId;
}
