export interface PromotionInput {
  candidateAccuracy: number;
  /** The serving model's accuracy on the candidate's holdout; null when nothing is serving yet. */
  currentAccuracyOnSameHoldout: number | null;
  minAccuracy: number;
  maxRegression: number;
}

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

// Accuracies are k/n fractions, and e.g. 0.96 - 0.02 evaluates to 0.9399999999999999, which would
// reject a candidate sitting exactly on the allowed regression; this absorbs that rounding only.
const TOLERANCE = 1e-12;

/**
 * Promote only a candidate that clears the absolute bar and does not regress too far against the
 * serving model measured on the same rows (accuracies from different holdouts are not comparable).
 */
export function evaluatePromotion(input: PromotionInput): PromotionDecision {
  const { candidateAccuracy: candidate, currentAccuracyOnSameHoldout: current, minAccuracy, maxRegression } = input;
  for (const [name, v] of [
    ['candidateAccuracy', candidate],
    ['currentAccuracyOnSameHoldout', current ?? 0],
    ['minAccuracy', minAccuracy],
  ] as const) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${v}`);
  }
  if (!(maxRegression >= 0 && maxRegression <= 1)) throw new RangeError(`maxRegression must be in [0, 1], got ${maxRegression}`);

  const fmt = (v: number) => v.toFixed(4);
  if (candidate + TOLERANCE < minAccuracy) {
    return { promote: false, reason: `candidate accuracy ${fmt(candidate)} is below the minimum ${fmt(minAccuracy)}` };
  }
  if (current === null) {
    return { promote: true, reason: `candidate accuracy ${fmt(candidate)} meets the minimum ${fmt(minAccuracy)} and no model is serving` };
  }
  if (candidate + TOLERANCE < current - maxRegression) {
    return {
      promote: false,
      reason: `candidate accuracy ${fmt(candidate)} regresses more than ${fmt(maxRegression)} from the current model's ${fmt(current)} on the same holdout`,
    };
  }
  return {
    promote: true,
    reason: `candidate accuracy ${fmt(candidate)} meets the minimum ${fmt(minAccuracy)} and is within ${fmt(maxRegression)} of the current model's ${fmt(current)} on the same holdout`,
  };
}
