/**
 * Wilson score interval for a proportion: unlike the normal approximation it stays inside [0, 1]
 * and behaves at 0 or n successes, which live accuracy on a few labels often is.
 */
export function wilsonInterval(successes: number, n: number, z = 1.959963984540054): [number, number] | null {
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** log(n choose k), exact enough for the binomial tails below (sums of logs, no overflow). */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * Exact McNemar test: of the rows two models disagree on correctness, `b` favour one and `c` the
 * other; under "equally accurate" each such row is a fair coin. Two-sided p-value of the binomial
 * tail, capped at 1. The exact form, not the chi-square one: live evidence is often a few dozen
 * discordant rows.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  const logHalfN = n * Math.log(0.5);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) + logHalfN);
  return Math.min(1, 2 * tail);
}
