import { createHash, timingSafeEqual } from 'node:crypto';

export type KeyRole = 'admin' | 'predict';

const digest = (key: string) => createHash('sha256').update(key).digest();

/**
 * The configured API keys, held as SHA-256 digests. A presented key is compared with every
 * configured one in constant time and without stopping at a match, so neither the timing nor
 * the number of comparisons tells an attacker how close a guess was.
 */
export class ApiKeys {
  private readonly keys: Array<{ digest: Buffer; role: KeyRole }>;

  constructor(
    predictKeys: readonly string[],
    private readonly adminKeys: readonly string[],
  ) {
    this.keys = [...adminKeys.map((k) => ({ digest: digest(k), role: 'admin' as const })), ...predictKeys.map((k) => ({ digest: digest(k), role: 'predict' as const }))];
    this.predictRequired = predictKeys.length > 0;
  }

  /** API_KEYS is set: every route but /health and /ready needs a key. */
  readonly predictRequired: boolean;

  /** ADMIN_API_KEYS is set: admin routes need an admin key (otherwise they answer loopback clients only). */
  get adminRequired(): boolean {
    return this.adminKeys.length > 0;
  }

  /** The role of a presented key, or null when it matches none. Admin wins if a key is in both lists. */
  identify(presented: string | undefined): KeyRole | null {
    if (!presented) return null;
    const candidate = digest(presented);
    let role: KeyRole | null = null;
    for (const key of this.keys) {
      const match = timingSafeEqual(candidate, key.digest);
      if (match && role === null) role = key.role;
    }
    return role;
  }
}

/** Comma-separated keys from the environment; blanks dropped. */
export function parseKeys(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}
