import { ApiKeys } from './api-keys';
import { AuthFailures } from './auth-failures';
import { authorize, callerOf, presentedKey } from './authorize';

const keys = new ApiKeys(['user-key'], ['admin-key']);
const remote = (headers: Record<string, string>) => callerOf(headers, '203.0.113.7');

describe('presentedKey', () => {
  it('reads Authorization: Bearer <key> in any case of the scheme, else X-API-Key', () => {
    expect(presentedKey({ authorization: 'Bearer k1' })).toBe('k1');
    expect(presentedKey({ authorization: 'bearer   k1 ' })).toBe('k1');
    expect(presentedKey({ 'x-api-key': 'k2' })).toBe('k2');
  });

  it('reads no key from an Authorization header without the Bearer scheme', () => {
    expect(presentedKey({ authorization: 'user-key' })).toBeUndefined();
    expect(presentedKey({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
    expect(presentedKey({ authorization: 'Bearer two words' })).toBeUndefined();
  });
});

describe('authorize', () => {
  it('refuses a bare key in Authorization with a 401 that names the form to use, even when the key is valid', () => {
    expect(authorize('predict', remote({ authorization: 'user-key' }), keys)).toEqual({
      allowed: false,
      status: 401,
      error: 'unauthorized',
      message: 'the Authorization header must be "Bearer <key>" (or send the key in X-API-Key)',
    });
    expect(authorize('predict', remote({ authorization: 'Bearer user-key' }), keys)).toEqual({ allowed: true });
  });

  it('leaves any Authorization header alone when no keys are configured', () => {
    expect(authorize('predict', remote({ authorization: 'Basic dXNlcjpwYXNz' }), new ApiKeys([], []))).toEqual({ allowed: true });
  });

  it('after AUTH_FAILURE_LIMIT wrong keys refuses every key from that address with 429, the right one too, and other addresses not', () => {
    let now = 0;
    const failures = new AuthFailures(3, 60_000, () => now);
    const statuses = ['guess-1', 'guess-2', 'guess-3', 'guess-4', 'user-key'].map(
      (key) => authorize('predict', remote({ 'x-api-key': key }), keys, failures) as { status?: number },
    );
    expect(statuses.map((d) => d.status)).toEqual([401, 401, 401, 429, 429]);
    expect(authorize('predict', remote({ 'x-api-key': 'user-key' }), keys, failures)).toEqual({
      allowed: false,
      status: 429,
      error: 'too_many_requests',
      message: 'too many wrong API keys from this address (AUTH_FAILURE_LIMIT); retry after 60 s',
      retryAfterSeconds: 60,
    });
    expect(authorize('predict', callerOf({ 'x-api-key': 'user-key' }, '203.0.113.8'), keys, failures)).toEqual({ allowed: true });
    expect(authorize('public', remote({ 'x-api-key': 'user-key' }), keys, failures)).toEqual({ allowed: true });
    now = 60_000;
    expect(authorize('predict', remote({ 'x-api-key': 'user-key' }), keys, failures)).toEqual({ allowed: true });
  });

  it('does not count a request that sends no key', () => {
    const failures = new AuthFailures(1, 60_000);
    for (let i = 0; i < 3; i++) expect(authorize('predict', remote({}), keys, failures)).toMatchObject({ status: 401 });
    expect(authorize('predict', remote({ 'x-api-key': 'user-key' }), keys, failures)).toEqual({ allowed: true });
  });
});
