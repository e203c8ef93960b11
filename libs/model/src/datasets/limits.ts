/**
 * Features a learned schema may have. Every feature becomes a request field, a validation rule,
 * a drift baseline and a monitoring field per model; a thousand is far beyond any tabular model
 * this platform serves, and a header with 10^6 columns is refused before any cell is built.
 */
export const MAX_FEATURES = 1_000;
/**
 * Distinct labels a label column may have. Far more usually means the wrong column was named
 * (an id, a free-text field); each class is a probability in every response and a slot in
 * every confusion matrix, so the cap also bounds those.
 */
export const MAX_CLASSES = 1_000;
/** Header line length: MAX_FEATURES names of 64 characters on average. A 1 MB header is refused before it is split. */
export const MAX_HEADER_CHARS = 65_536;
/** Longest column name or class label; names travel in every response, document and metric. */
export const MAX_NAME_CHARS = 200;
