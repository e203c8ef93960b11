import type { GaussianNBParams } from '@app/model';

export type Row = { sepal_length: number; sepal_width: number; petal_length: number; petal_width: number };

export const asRow = ([sepal_length, sepal_width, petal_length, petal_width]: readonly number[]): Row => ({
  sepal_length,
  sepal_width,
  petal_length,
  petal_width,
});
export const vector = (r: Row) => [r.sepal_length, r.sepal_width, r.petal_length, r.petal_width];

/**
 * Points on the segment from the versicolor to the virginica mean, 10,000 of them: two versions
 * trained on different rows draw that boundary at slightly different places, so some of these
 * points are classified differently by them.
 */
export function boundaryRows(p: GaussianNBParams): Row[] {
  const [from, to] = [p.means[1], p.means[2]];
  return Array.from({ length: 10_001 }, (_, i) => asRow(from.map((f, j) => f + ((to[j] - f) * i) / 10_000)));
}
