export const REDACTED = '[REDACTED]';

/** Keys whose values are credentials wherever they appear: config, HTTP headers, kafkajs and Elasticsearch client errors. */
const SECRET_KEY = /password|passwd|secret|token|api[_-]?key|authorization|cookie|sasl|credential/i;

/**
 * An HTTP credential quoted inside a string (an error message that repeats a header). The scheme
 * names are matched in any case, as HTTP does, at the price of masking the word after a
 * "basic" in prose: a hidden word is cheap, a leaked key is not.
 */
const SCHEME_CREDENTIAL = /\b(Bearer|ApiKey|Basic)(\s+)[^\s,;"'}]+/gi;

/**
 * A credential in a URL: the value of a query parameter named like one (`?api_key=…`,
 * `&access_token=…`, `?key=…`) and the password of user info (`//user:pass@host`). Keys do not
 * belong in URLs, but clients put them there, and a logged URL is a leaked key.
 */
const QUERY_CREDENTIAL = /([?&;][\w.%-]*(?:password|passwd|pwd|pass|secret|token|api[_-]?key|apikey|key|auth|credential|signature|sig)[\w.%-]*=)[^&;#\s"']*/gi;
const USERINFO_PASSWORD = /(\/\/[^/\s:@"']+:)[^@/\s"']+@/g;

const MAX_DEPTH = 32;

/**
 * Every pattern above needs one of these: the space after a scheme, the `=` of a query
 * parameter, the `@` of user info. Most logged strings (ids, paths, methods, messages without
 * them) skip the three replaces: in a CPU profile of the gateway under load they were the larger
 * part of writing its access log line.
 */
const MAY_HOLD_CREDENTIAL = /[\s=@]/;

export function maskCredentials(text: string): string {
  if (!MAY_HOLD_CREDENTIAL.test(text)) return text;
  return text.replace(SCHEME_CREDENTIAL, `$1$2${REDACTED}`).replace(QUERY_CREDENTIAL, `$1${REDACTED}`).replace(USERINFO_PASSWORD, `$1${REDACTED}@`);
}

/**
 * A copy of a log entry with secrets replaced, at any depth. Errors become plain objects with
 * their name, message and stack (masked) plus their own fields, because JSON.stringify would
 * write `{}` for them and hide the message that explains a failure.
 */
export function redact(value: unknown): unknown {
  return walk(value, new WeakSet(), 0);
}

function walk(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return maskCredentials(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) {
      return walkEntries({ name: value.name, message: value.message, stack: value.stack, ...(value as object) }, seen, depth);
    }
    const json = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return walk(json.call(value), seen, depth + 1);
    if (Array.isArray(value)) return value.map((item) => walk(item, seen, depth + 1));
    return walkEntries(value as Record<string, unknown>, seen, depth);
  } finally {
    seen.delete(value);
  }
}

function walkEntries(record: Record<string, unknown>, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    out[key] = SECRET_KEY.test(key) && v !== undefined ? REDACTED : walk(v, seen, depth + 1);
  }
  return out;
}
