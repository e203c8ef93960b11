import type { AccessLevel } from './access';
import type { ApiKeys } from './api-keys';
import type { AuthFailures } from './auth-failures';

export interface Caller {
  /** The key from `Authorization: Bearer …` or `X-API-Key`, if any. */
  presentedKey?: string;
  /** An Authorization header that is not `Bearer <key>` (a bare key, Basic, …): refused, not guessed at. */
  malformedAuthorization?: boolean;
  /** The TCP peer's address (wrong keys are counted by it). */
  address?: string;
  /** The TCP peer is this host (127.0.0.1 / ::1). Forwarded-for headers are never trusted for this. */
  loopback: boolean;
}

export type Decision =
  | { allowed: true }
  | { allowed: false; status: 401 | 403; error: 'unauthorized' | 'forbidden'; message: string }
  | { allowed: false; status: 429; error: 'too_many_requests'; message: string; retryAfterSeconds: number };

const UNAUTHORIZED = (message: string): Decision => ({ allowed: false, status: 401, error: 'unauthorized', message });
const FORBIDDEN = (message: string): Decision => ({ allowed: false, status: 403, error: 'forbidden', message });

/**
 * 401: no valid credentials (retry with a key). 403: the credentials are valid but not enough, or
 * the route is closed to this caller. 429: this address presented too many wrong keys
 * (AUTH_FAILURE_LIMIT); each wrong key is counted in `failures`.
 */
export function authorize(level: AccessLevel, caller: Caller, keys: ApiKeys, failures?: AuthFailures): Decision {
  if (level === 'public') return { allowed: true };
  // With no keys configured a stray Authorization header (a proxy's, say) is not ours to judge.
  const judged = keys.predictRequired || keys.adminRequired;
  if (judged && caller.malformedAuthorization) return UNAUTHORIZED('the Authorization header must be "Bearer <key>" (or send the key in X-API-Key)');
  if (judged && caller.presentedKey !== undefined) {
    const wait = failures?.retryAfterSeconds(caller.address) ?? 0;
    if (wait > 0) {
      return {
        allowed: false,
        status: 429,
        error: 'too_many_requests',
        message: `too many wrong API keys from this address (AUTH_FAILURE_LIMIT); retry after ${wait} s`,
        retryAfterSeconds: wait,
      };
    }
  }
  const role = keys.identify(caller.presentedKey);
  if (judged && caller.presentedKey !== undefined && role === null) {
    failures?.record(caller.address);
    return UNAUTHORIZED('the API key is not valid');
  }
  if (level === 'predict') {
    if (!keys.predictRequired || role !== null) return { allowed: true };
    return UNAUTHORIZED('an API key is required (Authorization: Bearer <key> or X-API-Key)');
  }
  if (keys.adminRequired) {
    if (role === 'admin') return { allowed: true };
    return role === null
      ? UNAUTHORIZED('an admin API key is required (Authorization: Bearer <key> or X-API-Key)')
      : FORBIDDEN('this route needs an admin API key');
  }
  if (caller.loopback) return { allowed: true };
  return FORBIDDEN('admin routes answer only local clients until ADMIN_API_KEYS is configured');
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * The key a request presents: `Authorization: Bearer <key>`, else `X-API-Key`. Any other
 * Authorization (a bare key, another scheme) presents none: a bare key would otherwise be
 * accepted in a form no client library sends and no proxy knows to strip from its logs.
 */
export function presentedKey(headers: Headers): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') return /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : undefined;
}

/** Who is calling, from the request headers (or gRPC metadata) and the TCP peer's address. */
export function callerOf(headers: Headers, address: string | undefined): Caller {
  const auth = headers.authorization;
  return {
    presentedKey: presentedKey(headers),
    malformedAuthorization: typeof auth === 'string' && presentedKey(headers) === undefined,
    address,
    loopback: isLoopback(address),
  };
}

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
