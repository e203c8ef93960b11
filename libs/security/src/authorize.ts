import type { AccessLevel } from './access';
import type { ApiKeys } from './api-keys';

export interface Caller {
  /** The key from `Authorization: Bearer …` or `X-API-Key`, if any. */
  presentedKey?: string;
  /** The TCP peer is this host (127.0.0.1 / ::1). Forwarded-for headers are never trusted for this. */
  loopback: boolean;
}

export type Decision = { allowed: true } | { allowed: false; status: 401 | 403; error: 'unauthorized' | 'forbidden'; message: string };

const UNAUTHORIZED = (message: string): Decision => ({ allowed: false, status: 401, error: 'unauthorized', message });
const FORBIDDEN = (message: string): Decision => ({ allowed: false, status: 403, error: 'forbidden', message });

/** 401: no valid credentials (retry with a key). 403: the credentials are valid but not enough, or the route is closed to this caller. */
export function authorize(level: AccessLevel, caller: Caller, keys: ApiKeys): Decision {
  if (level === 'public') return { allowed: true };
  const role = keys.identify(caller.presentedKey);
  // With no keys configured a stray Authorization header (a proxy's, say) is not ours to judge.
  if (caller.presentedKey !== undefined && role === null && (keys.predictRequired || keys.adminRequired)) return UNAUTHORIZED('the API key is not valid');
  if (level === 'predict') {
    if (!keys.predictRequired || role !== null) return { allowed: true };
    return UNAUTHORIZED('an API key is required (Authorization: Bearer <key> or X-API-Key)');
  }
  if (keys.adminRequired) {
    if (role === 'admin') return { allowed: true };
    return role === null ? UNAUTHORIZED('an admin API key is required (Authorization: Bearer <key> or X-API-Key)') : FORBIDDEN('this route needs an admin API key');
  }
  if (caller.loopback) return { allowed: true };
  return FORBIDDEN('admin routes answer only local clients until ADMIN_API_KEYS is configured');
}

export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return bearer ? bearer[1] : auth;
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : undefined;
}

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
