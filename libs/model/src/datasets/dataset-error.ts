/** Bad user-supplied training data; the message names the line or row and the column at fault. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

/**
 * A value from the data as an error message may show it: JSON-quoted and cut to `max`
 * characters, so a message (stored in run records and logs) never carries more than a glimpse
 * of a file's contents.
 */
export function quoteValue(value: unknown, max = 40): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
