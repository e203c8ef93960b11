import { createHash } from 'node:crypto';

/**
 * A short hash of what the mirror wrote for a record, kept as a tag next to it in MLflow: the
 * next start compares it with the records on Kafka and rewrites only what differs.
 */
export function stableDigest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
