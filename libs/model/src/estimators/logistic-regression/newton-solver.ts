import type { LabeledDataset } from '../../datasets';

/**
 * The coefficient count up to which the exact-Newton fit runs. Its Hessian is parameters² doubles
 * (2,500² = 50 MB) and each step factorises it (parameters³ / 3 flops), so past this a fit would
 * take minutes and most of a trainer's memory. 2,500 is 12 classes of 200 features, or 2 classes
 * of 1,000 features.
 */
export const MAX_PARAMETERS = 2_500;

export interface LogisticFit {
  /** [row][feature] in the original units: one row for 2 classes, one per class otherwise. */
  coef: number[][];
  intercept: number[];
  iterations: number;
  /**
   * Largest component of the objective's gradient at the solution, in the standardized
   * parametrisation: at most tol, or the smallest double precision allows when tol asked for less.
   */
  gradientMax: number;
}

export interface NewtonOptions {
  C: number;
  maxIter: number;
  tol: number;
}

const ARMIJO = 1e-4;
const ROW_CHUNK = 512;
const MAX_HALVINGS = 40;

/**
 * Minimises scikit-learn's L2 logistic objective, divided by C·n:
 *   mean over rows of the log loss + ‖W‖² / (2·C·n), intercepts not penalised,
 * with the binary log loss over one coefficient row for 2 classes and the multinomial log loss
 * over one row per class otherwise, exactly as LogisticRegression does.
 *
 * Damped Newton, in a standardized parametrisation: with x = σ∘x' + μ, the scores W·x + b equal
 * V·x' + c for V = W·diag(σ) and c = b + W·μ, and ‖W‖² = Σ V²/σ². That is the same objective,
 * only reparametrised, so its minimiser maps back exactly; but features of very different scales
 * (wine's proline ~1000 beside hue ~1) no longer make the Hessian near singular. Newton rather
 * than L-BFGS because it converges quadratically to the optimum: scikit-learn's own lbfgs with
 * tol 1e-12 stops ~5e-5 away from it in probability on unscaled wine (its ftol criterion), while
 * Newton reaches it to 1e-15 in about ten steps. The multinomial loss is flat along "add the same
 * constant to every intercept"; the Newton system adds u·uᵀ along that direction (u the
 * normalised all-ones intercept vector), which makes it solvable without changing the step,
 * since the gradient is orthogonal to u.
 */
export function fitLogisticNewton(data: LabeledDataset, opts: NewtonOptions): LogisticFit {
  const n = data.X.length;
  const F = data.featureNames.length;
  const K = data.classNames.length;
  const D = F + 1;
  const B = K === 2 ? 1 : K;
  const P = B * D;
  if (P > MAX_PARAMETERS) {
    throw new RangeError(
      `logistic_regression: ${K} classes and ${F} features make ${P} coefficients; the exact-Newton fit handles at most ${MAX_PARAMETERS} (its Hessian is coefficients² numbers). Use gaussian_nb, or fewer features or classes`,
    );
  }

  const { mean, scale } = standardization(data.X, F);
  // Column-major standardized design with a trailing column of ones: Z[a·n + i].
  const Z = new Float64Array(D * n);
  for (let i = 0; i < n; i++) {
    const row = data.X[i];
    for (let j = 0; j < F; j++) Z[j * n + i] = (row[j] - mean[j]) / scale[j];
    Z[F * n + i] = 1;
  }
  const penalty = new Float64Array(D);
  for (let j = 0; j < F; j++) penalty[j] = 1 / (opts.C * n * scale[j] * scale[j]);

  const problem: Problem = { n, D, B, P, Z, y: data.y, penalty };
  const theta = new Float64Array(P);
  const probs = new Float64Array(B * n);
  let f = objective(problem, theta, probs);
  const grad = new Float64Array(P);
  const hessian = new Float64Array(P * P);
  const step = new Float64Array(P);
  const trial = new Float64Array(P);
  let iterations = 0;
  let gradientMax = gradient(problem, theta, probs, grad);

  while (gradientMax > opts.tol) {
    if (iterations === opts.maxIter) {
      throw new RangeError(
        `logistic_regression did not converge in max_iter=${opts.maxIter} Newton steps (largest gradient component ${gradientMax.toExponential(2)} > tol ${opts.tol}); raise max_iter or tol`,
      );
    }
    hessianOf(problem, probs, hessian);
    solveNewton(hessian, grad, step, P);
    let slope = 0;
    for (let k = 0; k < P; k++) slope += grad[k] * step[k];
    // −slope/2 is what the step expects to gain. Below double precision's resolution of f the line
    // search cannot judge a step, but the gradient still can: this close, the full Newton step is
    // taken while it lowers the gradient, and the optimum is reached when it no longer does.
    if (-slope / 2 <= 4 * Number.EPSILON * Math.max(1, Math.abs(f))) {
      for (let k = 0; k < P; k++) trial[k] = theta[k] + step[k];
      const fTrial = objective(problem, trial, probs);
      const trialMax = gradient(problem, trial, probs, grad);
      iterations++;
      if (!(trialMax < gradientMax)) break;
      theta.set(trial);
      f = fTrial;
      gradientMax = trialMax;
      continue;
    }
    let t = 1;
    let accepted = false;
    for (let h = 0; h < MAX_HALVINGS && !accepted; h++, t /= 2) {
      for (let k = 0; k < P; k++) trial[k] = theta[k] + t * step[k];
      const fTrial = objective(problem, trial, probs);
      if (fTrial <= f + ARMIJO * t * slope) {
        theta.set(trial);
        f = fTrial;
        accepted = true;
      }
    }
    iterations++;
    // No step along the Newton direction decreases the objective at double precision: this is the optimum to rounding.
    if (!accepted) break;
    gradientMax = gradient(problem, theta, probs, grad);
  }

  return { ...toOriginalUnits(theta, mean, scale, B, F), iterations, gradientMax };
}

interface Problem {
  n: number;
  D: number;
  /** Coefficient rows: 1 for the binary loss, K for the multinomial. */
  B: number;
  P: number;
  Z: Float64Array;
  y: readonly number[];
  /** Per standardized coefficient, 1 / (C·n·σ²); 0 for the intercept. */
  penalty: Float64Array;
}

/** Population mean and standard deviation per feature; a constant feature keeps scale 1 (its coefficient is 0 anyway). */
function standardization(X: readonly number[][], F: number): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(F);
  const scale = new Float64Array(F);
  for (let j = 0; j < F; j++) {
    let sum = 0;
    for (const row of X) sum += row[j];
    const m = sum / X.length;
    let squares = 0;
    for (const row of X) squares += (row[j] - m) ** 2;
    const sd = Math.sqrt(squares / X.length);
    mean[j] = m;
    scale[j] = sd > 0 ? sd : 1;
  }
  return { mean, scale };
}

/** The objective at theta; leaves each row's class probabilities in probs[b·n + i]. */
function objective(p: Problem, theta: Float64Array, probs: Float64Array): number {
  const { n, D, B, Z, y, penalty } = p;
  for (let b = 0; b < B; b++) {
    const s = probs.subarray(b * n, (b + 1) * n);
    s.fill(theta[b * D + D - 1]);
    for (let a = 0; a < D - 1; a++) {
      const w = theta[b * D + a];
      if (w === 0) continue;
      const col = Z.subarray(a * n, (a + 1) * n);
      for (let i = 0; i < n; i++) s[i] += w * col[i];
    }
  }
  let loss = 0;
  if (B === 1) {
    for (let i = 0; i < n; i++) {
      const s = probs[i];
      // log(1 + e^s) - t·s without overflow, then the probability of the second class.
      loss += (s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s))) - (y[i] === 1 ? s : 0);
      probs[i] = 1 / (1 + Math.exp(-s));
    }
  } else {
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let b = 0; b < B; b++) max = Math.max(max, probs[b * n + i]);
      let sum = 0;
      for (let b = 0; b < B; b++) sum += Math.exp(probs[b * n + i] - max);
      loss += max + Math.log(sum) - probs[y[i] * n + i];
      for (let b = 0; b < B; b++) probs[b * n + i] = Math.exp(probs[b * n + i] - max) / sum;
    }
  }
  let reg = 0;
  for (let b = 0; b < B; b++) for (let a = 0; a < D - 1; a++) reg += penalty[a] * theta[b * D + a] ** 2;
  return loss / n + reg / 2;
}

/** Gradient at the point whose probabilities objective() left in probs; returns its largest component. */
function gradient(p: Problem, theta: Float64Array, probs: Float64Array, grad: Float64Array): number {
  const { n, D, B, Z, y, penalty } = p;
  const residual = new Float64Array(n);
  let max = 0;
  for (let b = 0; b < B; b++) {
    const target = B === 1 ? 1 : b;
    for (let i = 0; i < n; i++) residual[i] = probs[b * n + i] - (y[i] === target ? 1 : 0);
    for (let a = 0; a < D; a++) {
      const col = Z.subarray(a * n, (a + 1) * n);
      let g = 0;
      for (let i = 0; i < n; i++) g += residual[i] * col[i];
      const k = b * D + a;
      grad[k] = g / n + penalty[a] * theta[k];
      max = Math.max(max, Math.abs(grad[k]));
    }
  }
  return max;
}

/**
 * Full Hessian, row-major P×P: block (b, c) is Zᵀ·diag(w_bc)·Z / n with w_bc = p_b(δ_bc − p_c)
 * (p(1 − p) for the binary loss), plus the penalty on the diagonal. Only b ≤ c and the upper
 * triangle of each block are summed; the rest is mirrored. Over K classes the loss blocks of a
 * block row sum to zero (Σ_c w_bc = 0), so the last class's blocks follow from the others:
 * K(K−1)/2 weighted Gram matrices instead of K(K+1)/2, half the work for 3 classes.
 */
function hessianOf(p: Problem, probs: Float64Array, H: Float64Array): void {
  const { n, D, B, P, Z, penalty } = p;
  const summed = B === 1 ? 1 : B - 1;
  const w = new Float64Array(ROW_CHUNK);
  const wz = new Float64Array(ROW_CHUNK);
  const at = (b: number, a1: number, c: number, a2: number) => (b * D + a1) * P + c * D + a2;
  H.fill(0);
  // Rows in chunks, so the chunk's columns stay in cache across the D²/2 dot products that read them.
  for (let start = 0; start < n; start += ROW_CHUNK) {
    const m = Math.min(ROW_CHUNK, n - start);
    for (let b = 0; b < summed; b++) {
      for (let c = b; c < summed; c++) {
        for (let i = 0; i < m; i++) {
          const pb = probs[b * n + start + i];
          w[i] = b === c ? pb * (1 - pb) : -pb * probs[c * n + start + i];
        }
        for (let a1 = 0; a1 < D; a1++) {
          const col1 = a1 * n + start;
          for (let i = 0; i < m; i++) wz[i] = w[i] * Z[col1 + i];
          for (let a2 = a1; a2 < D; a2++) H[at(b, a1, c, a2)] += dot(wz, Z, a2 * n + start, m);
        }
      }
    }
  }
  for (let b = 0; b < summed; b++) {
    for (let c = b; c < summed; c++) {
      for (let a1 = 0; a1 < D; a1++) {
        for (let a2 = a1; a2 < D; a2++) {
          const h = H[at(b, a1, c, a2)] / n;
          H[at(b, a1, c, a2)] = H[at(c, a2, b, a1)] = H[at(b, a2, c, a1)] = H[at(c, a1, b, a2)] = h;
        }
      }
    }
  }
  if (B > 1) {
    const last = B - 1;
    for (let a1 = 0; a1 < D; a1++) {
      for (let a2 = 0; a2 < D; a2++) {
        let corner = 0;
        for (let b = 0; b < last; b++) {
          let h = 0;
          for (let c = 0; c < last; c++) h -= H[at(b, a1, c, a2)];
          H[at(b, a1, last, a2)] = H[at(last, a2, b, a1)] = h;
          corner -= h;
        }
        H[at(last, a1, last, a2)] = corner;
      }
    }
  }
  for (let b = 0; b < B; b++) for (let a = 0; a < D - 1; a++) H[(b * D + a) * (P + 1)] += penalty[a];
  if (B > 1) {
    const intercept = (b: number) => b * D + D - 1;
    for (let b = 0; b < B; b++) for (let c = 0; c < B; c++) H[intercept(b) * P + intercept(c)] += 1 / B;
  }
}

/** Σ x[i]·Z[offset + i] over n terms, four at a time: the Hessian's inner loop. */
function dot(x: Float64Array, Z: Float64Array, offset: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[i] * Z[offset + i];
    s1 += x[i + 1] * Z[offset + i + 1];
    s2 += x[i + 2] * Z[offset + i + 2];
    s3 += x[i + 3] * Z[offset + i + 3];
  }
  for (; i < n; i++) s0 += x[i] * Z[offset + i];
  return s0 + s1 + (s2 + s3);
}

/** step = −H⁻¹·grad by Cholesky; should rounding make H indefinite, a growing ridge is added until it factors. */
function solveNewton(H: Float64Array, grad: Float64Array, step: Float64Array, P: number): void {
  const L = new Float64Array(P * P);
  let ridge = 0;
  while (!cholesky(H, L, P, ridge)) ridge = ridge === 0 ? 1e-12 : ridge * 10;
  for (let r = 0; r < P; r++) {
    let s = -grad[r];
    for (let k = 0; k < r; k++) s -= L[r * P + k] * step[k];
    step[r] = s / L[r * P + r];
  }
  for (let r = P - 1; r >= 0; r--) {
    let s = step[r];
    for (let k = r + 1; k < P; k++) s -= L[k * P + r] * step[k];
    step[r] = s / L[r * P + r];
  }
}

function cholesky(H: Float64Array, L: Float64Array, P: number, ridge: number): boolean {
  for (let r = 0; r < P; r++) {
    for (let c = 0; c <= r; c++) {
      let s = H[r * P + c] + (r === c ? ridge : 0);
      for (let k = 0; k < c; k++) s -= L[r * P + k] * L[c * P + k];
      if (r === c) {
        if (!(s > 0)) return false;
        L[r * P + r] = Math.sqrt(s);
      } else {
        L[r * P + c] = s / L[c * P + c];
      }
    }
  }
  return true;
}

/** W = V / σ and b = c − W·μ; over K > 2 classes the intercepts are centred, as scikit-learn's start from zero leaves them. */
function toOriginalUnits(theta: Float64Array, mean: Float64Array, scale: Float64Array, B: number, F: number): { coef: number[][]; intercept: number[] } {
  const D = F + 1;
  const coef: number[][] = [];
  const intercept: number[] = [];
  for (let b = 0; b < B; b++) {
    const row = Array.from({ length: F }, (_, j) => theta[b * D + j] / scale[j]);
    coef.push(row);
    intercept.push(theta[b * D + F] - row.reduce((s, w, j) => s + w * mean[j], 0));
  }
  if (B > 1) {
    const centre = intercept.reduce((s, v) => s + v, 0) / B;
    for (let b = 0; b < B; b++) intercept[b] -= centre;
  }
  return { coef, intercept };
}
