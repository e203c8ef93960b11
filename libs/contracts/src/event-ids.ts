import { createHash } from 'node:crypto';

/**
 * An event id derived from the event that caused it. A request redelivered after a crash and
 * scored again yields the same prediction event id, so whatever is keyed by it (documents,
 * deduplication) is overwritten rather than duplicated.
 */
export function derivedEventId(sourceEventId: string, purpose: string): string {
  const h = createHash('sha256').update(purpose).update('\u0000').update(sourceEventId).digest('hex');
  // Formatted as a UUID (version nibble 8: custom) so it looks like every other event id.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
