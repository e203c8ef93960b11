import { DatasetError } from './dataset-error';

/**
 * The cells of one CSV line (RFC 4180 quoting: a quoted cell may hold commas and "" for a
 * quote; cells are trimmed). At most `limit` cells are built: a longer line returns `limit + 1`
 * cells, enough for the caller to say the line is too long without materialising it.
 * `where` names the line in the error for an unterminated quote.
 */
export function splitCsvLine(line: string, limit: number, where: string): string[] {
  const cells: string[] = [];
  let pos = 0;
  for (;;) {
    if (cells.length > limit) return cells;
    while (line[pos] === ' ' || line[pos] === '\t') pos++;
    let cell: string;
    if (line[pos] === '"') {
      let text = '';
      let from = pos + 1;
      for (;;) {
        const quote = line.indexOf('"', from);
        if (quote < 0) throw new DatasetError(`${where}: a quoted cell is not closed (a line break inside quotes is not supported)`);
        text += line.slice(from, quote);
        if (line[quote + 1] === '"') {
          text += '"';
          from = quote + 2;
        } else {
          pos = quote + 1;
          break;
        }
      }
      const comma = line.indexOf(',', pos);
      const rest = line.slice(pos, comma < 0 ? line.length : comma).trim();
      if (rest !== '') throw new DatasetError(`${where}: text after a quoted cell: ${JSON.stringify(rest.slice(0, 20))}`);
      cell = text;
      pos = comma < 0 ? line.length + 1 : comma + 1;
    } else {
      const comma = line.indexOf(',', pos);
      cell = line.slice(pos, comma < 0 ? line.length : comma).trim();
      pos = comma < 0 ? line.length + 1 : comma + 1;
    }
    cells.push(cell);
    if (pos > line.length) return cells;
  }
}

/** How many cells splitCsvLine would find in a line, without building any of them. */
export function countCsvCells(line: string): number {
  let count = 1;
  let cellStart = true;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charCodeAt(i);
    if (ch === 44) {
      count++;
      cellStart = true;
    } else if (ch === 34 && cellStart) {
      // A quoted cell: skip to its closing quote ("" is an escaped quote inside it).
      for (i++; i < line.length; i++) {
        if (line.charCodeAt(i) !== 34) continue;
        if (line.charCodeAt(i + 1) === 34) i++;
        else break;
      }
      cellStart = false;
    } else if (ch !== 32 && ch !== 9) {
      cellStart = false;
    }
  }
  return count;
}

// Number('') is 0, Number('0x1f') is 31 and Number(' 1e1 ') is 10, so require a decimal first.
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A decimal number as CSV files write them; NaN for anything else (hex, 'inf', 'NaN', an empty cell). */
export function parseDecimal(cell: string): number {
  return DECIMAL.test(cell) ? Number(cell) : NaN;
}

/** Yields each line of `text` with its 1-based number, one string at a time (never an array of every line). */
export function* csvLines(text: string): Generator<{ line: string; lineNo: number }> {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let lineNo = 1; pos <= text.length; lineNo++) {
    const end = text.indexOf('\n', pos);
    const stop = end < 0 ? text.length : end;
    const line = text.slice(pos, stop > pos && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop);
    yield { line, lineNo };
    pos = stop + 1;
  }
}
