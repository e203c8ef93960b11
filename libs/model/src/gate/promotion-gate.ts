export interface PromotionInput {
  candidateAccuracy: number;
  /** The serving model's accuracy on the candidate's holdout; null when nothing is serving yet. */
  currentAccuracyOnSameHoldout: number | null;
  minAccuracy: number;
  maxRegression: number;
  /** Rows the candidate was judged on; fewer than minHoldoutRows says nothing about it. */
  holdoutSize: number;
  minHoldoutRows: number;
  /**
   * Accuracies on a trusted reference set that requests cannot change. A candidate trained on
   * poisoned data can look perfect on its own (equally poisoned) holdout; it cannot on this.
   */
  reference?: { candidateAccuracy: number; currentAccuracy: number | null; maxRegression: number };
}

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

// Accuracies are k/n fractions, and e.g. 0.96 - 0.02 evaluates to 0.9399999999999999, which would
// reject a candidate sitting exactly on the allowed regression; this absorbs that rounding only.
const TOLERANCE = 1e-12;

function checkRange(name: string, v: number): void {
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${v}`);
}

/**
 * Promote only a candidate judged on enough rows that clears the absolute bar, does not regress
 * too far against the serving model measured on the same rows (accuracies from different holdouts
 * are not comparable), and does not regress on the reference set either.
 */
export function evaluatePromotion(input: PromotionInput): PromotionDecision {
  const { candidateAccuracy: candidate, currentAccuracyOnSameHoldout: current, minAccuracy, maxRegression, reference } = input;
  checkRange('candidateAccuracy', candidate);
  checkRange('currentAccuracyOnSameHoldout', current ?? 0);
  checkRange('minAccuracy', minAccuracy);
  checkRange('maxRegression', maxRegression);
  if (reference) {
    checkRange('reference.candidateAccuracy', reference.candidateAccuracy);
    checkRange('reference.currentAccuracy', reference.currentAccuracy ?? 0);
    checkRange('reference.maxRegression', reference.maxRegression);
  }

  const fmt = (v: number) => v.toFixed(4);
  if (input.holdoutSize < input.minHoldoutRows) {
    return { promote: false, reason: `the holdout has ${input.holdoutSize} rows; a candidate is judged on at least ${input.minHoldoutRows} (MIN_HOLDOUT_ROWS)` };
  }
  if (candidate + TOLERANCE < minAccuracy) {
    return { promote: false, reason: `candidate accuracy ${fmt(candidate)} is below the minimum ${fmt(minAccuracy)}` };
  }
  if (current !== null && candidate + TOLERANCE < current - maxRegression) {
    return {
      promote: false,
      reason: `candidate accuracy ${fmt(candidate)} regresses more than ${fmt(maxRegression)} from the current model's ${fmt(current)} on the same holdout`,
    };
  }
  if (reference && reference.currentAccuracy !== null && reference.candidateAccuracy + TOLERANCE < reference.currentAccuracy - reference.maxRegression) {
    return {
      promote: false,
      reason: `candidate accuracy ${fmt(reference.candidateAccuracy)} on the reference set regresses more than ${fmt(reference.maxRegression)} from the current model's ${fmt(reference.currentAccuracy)}`,
    };
  }
  const base = `candidate accuracy ${fmt(candidate)} meets the minimum ${fmt(minAccuracy)}`;
  const versus = current === null ? 'no model is serving' : `is within ${fmt(maxRegression)} of the current model's ${fmt(current)} on the same holdout`;
  const onReference =
    reference && reference.currentAccuracy !== null ? `; ${fmt(reference.candidateAccuracy)} on the reference set against the current model's ${fmt(reference.currentAccuracy)}` : '';
  return { promote: true, reason: `${base} and ${versus}${onReference}` };
}
