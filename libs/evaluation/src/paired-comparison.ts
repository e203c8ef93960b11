import { mcnemarExact } from './statistics';

/** A labeled row as any version can score it again: a vector for the default model, a named row for a named one. */
export interface LabeledInput<F = readonly number[]> {
  features: F;
  label: string;
}

export type Classify<F = readonly number[]> = (features: F) => string;

export interface PairedComparison {
  labeled: number;
  incumbentCorrect: number;
  challengerCorrect: number;
  /** Discordant rows: only the challenger right, only the incumbent right. */
  challengerOnly: number;
  incumbentOnly: number;
  incumbentAccuracy: number | null;
  challengerAccuracy: number | null;
  pValue: number;
}

/** Both versions score the same labeled rows; the paired (McNemar) test compares them on those rows only. */
export function comparePaired<F>(rows: readonly LabeledInput<F>[], incumbent: Classify<F>, challenger: Classify<F>): PairedComparison {
  let incumbentCorrect = 0;
  let challengerCorrect = 0;
  let challengerOnly = 0;
  let incumbentOnly = 0;
  for (const row of rows) {
    const a = incumbent(row.features) === row.label;
    const b = challenger(row.features) === row.label;
    if (a) incumbentCorrect++;
    if (b) challengerCorrect++;
    if (b && !a) challengerOnly++;
    if (a && !b) incumbentOnly++;
  }
  const n = rows.length;
  return {
    labeled: n,
    incumbentCorrect,
    challengerCorrect,
    challengerOnly,
    incumbentOnly,
    incumbentAccuracy: n === 0 ? null : incumbentCorrect / n,
    challengerAccuracy: n === 0 ? null : challengerCorrect / n,
    pValue: mcnemarExact(challengerOnly, incumbentOnly),
  };
}
