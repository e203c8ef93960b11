/** The four measurements of a request row; declared here, not imported, so the fault suite's plain tsc build stays free of path aliases. */
export type Flower = Record<'sepal_length' | 'sepal_width' | 'petal_length' | 'petal_width', number>;

/** Iris class centres and spreads (cm), rounded from the data set. */
const CENTRES = [
  [5.01, 3.43, 1.46, 0.25],
  [5.94, 2.77, 4.26, 1.33],
  [6.59, 2.97, 5.55, 2.03],
];
const SPREADS = [
  [0.35, 0.38, 0.17, 0.11],
  [0.52, 0.31, 0.47, 0.2],
  [0.64, 0.32, 0.55, 0.27],
];

/** Four uniforms in [-1, 1) from n: mulberry32 seeded with a Weyl step of n. */
function uniforms(n: number): number[] {
  let state = Math.imul(n + 1, 0x9e3779b9) >>> 0;
  return Array.from({ length: 4 }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  });
}

/**
 * Flower number n of a fixed sequence: around the centre of species n % 3, within two spreads of
 * it, to the thousandth of a cm. Concurrent tests give every request its own n, so every request
 * has its own input and its own expected class and probabilities: an answer crossed with another
 * request's shows.
 */
export function distinctFlower(n: number): Flower {
  const centre = CENTRES[n % 3];
  const spread = SPREADS[n % 3];
  const [sepal_length, sepal_width, petal_length, petal_width] = uniforms(n).map((u, j) =>
    Math.max(0.05, Math.round((centre[j] + 2 * spread[j] * u) * 1000) / 1000),
  );
  return { sepal_length, sepal_width, petal_length, petal_width };
}
