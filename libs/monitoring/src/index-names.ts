export const INDEX_KINDS = ['predictions', 'shadow', 'feedback', 'live', 'stats', 'drift', 'models', 'events'] as const;
export type IndexKind = (typeof INDEX_KINDS)[number];

/** Daily indices: retention is deleting old indices, and Kibana data views match `<prefix>-<kind>-*`. */
export function indexName(prefix: string, kind: IndexKind, at: Date): string {
  const day = at.toISOString().slice(0, 10).replaceAll('-', '.');
  return `${prefix}-${kind}-${day}`;
}

export function indexPattern(prefix: string, kind: IndexKind): string {
  return `${prefix}-${kind}-*`;
}
