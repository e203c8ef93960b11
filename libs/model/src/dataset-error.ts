/** Bad user-supplied training data; the message names the line or row and the column at fault. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}
