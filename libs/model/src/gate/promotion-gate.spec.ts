import { evaluatePromotion } from './promotion-gate';

const base = { minAccuracy: 0.9, maxRegression: 0.02, holdoutSize: 30, minHoldoutRows: 30 };

describe('evaluatePromotion', () => {
  it('promotes the first model when it meets the minimum', () => {
    expect(evaluatePromotion({ ...base, candidateAccuracy: 0.95, currentAccuracyOnSameHoldout: null })).toEqual({
      promote: true,
      reason: 'candidate accuracy 0.9500 meets the minimum 0.9000 and no model is serving',
    });
  });

  it('rejects a candidate below the minimum even with no model serving', () => {
    expect(evaluatePromotion({ ...base, candidateAccuracy: 0.85, currentAccuracyOnSameHoldout: null })).toEqual({
      promote: false,
      reason: 'candidate accuracy 0.8500 is below the minimum 0.9000',
    });
  });

  it('promotes a candidate within maxRegression of the current model, including exactly on the boundary', () => {
    // 0.96 − 0.02 is 0.9399999999999999 in floating point; 0.94 must still pass.
    const decision = evaluatePromotion({ ...base, candidateAccuracy: 0.94, currentAccuracyOnSameHoldout: 0.96 });
    expect(decision.promote).toBe(true);
    expect(decision.reason).toBe("candidate accuracy 0.9400 meets the minimum 0.9000 and is within 0.0200 of the current model's 0.9600 on the same holdout");
  });

  it('promotes a candidate that beats the current model', () => {
    expect(evaluatePromotion({ ...base, candidateAccuracy: 1, currentAccuracyOnSameHoldout: 0.9 }).promote).toBe(true);
  });

  it('rejects a candidate that regresses further than maxRegression', () => {
    expect(evaluatePromotion({ ...base, candidateAccuracy: 0.93, currentAccuracyOnSameHoldout: 0.96 })).toEqual({
      promote: false,
      reason: "candidate accuracy 0.9300 regresses more than 0.0200 from the current model's 0.9600 on the same holdout",
    });
  });

  it('checks the minimum before the regression', () => {
    const decision = evaluatePromotion({ ...base, candidateAccuracy: 0.8, currentAccuracyOnSameHoldout: 0.8 });
    expect(decision).toMatchObject({ promote: false, reason: expect.stringContaining('below the minimum') });
  });

  it('rejects a candidate judged on fewer rows than the minimum holdout, however accurate', () => {
    expect(evaluatePromotion({ ...base, holdoutSize: 3, candidateAccuracy: 1, currentAccuracyOnSameHoldout: 0.33 })).toEqual({
      promote: false,
      reason: 'the holdout has 3 rows; a candidate is judged on at least 30 (MIN_HOLDOUT_ROWS)',
    });
  });

  it('rejects a candidate perfect on its own holdout that regresses on the reference set', () => {
    const reference = { candidateAccuracy: 0.3333, currentAccuracy: 0.96, maxRegression: 0.02 };
    expect(evaluatePromotion({ ...base, candidateAccuracy: 1, currentAccuracyOnSameHoldout: 0.3333, reference })).toEqual({
      promote: false,
      reason: "candidate accuracy 0.3333 on the reference set regresses more than 0.0200 from the current model's 0.9600",
    });
  });

  it('promotes within the reference tolerance and says so', () => {
    const reference = { candidateAccuracy: 0.9467, currentAccuracy: 0.96, maxRegression: 0.02 };
    expect(evaluatePromotion({ ...base, candidateAccuracy: 0.95, currentAccuracyOnSameHoldout: 0.95, reference })).toEqual({
      promote: true,
      reason:
        "candidate accuracy 0.9500 meets the minimum 0.9000 and is within 0.0200 of the current model's 0.9500 on the same holdout; 0.9467 on the reference set against the current model's 0.9600",
    });
  });

  it('rejects accuracies outside [0, 1] and NaN', () => {
    expect(() => evaluatePromotion({ ...base, candidateAccuracy: 1.2, currentAccuracyOnSameHoldout: null })).toThrow(/candidateAccuracy/);
    expect(() => evaluatePromotion({ ...base, candidateAccuracy: 0.9, currentAccuracyOnSameHoldout: NaN })).toThrow(/currentAccuracyOnSameHoldout/);
    expect(() => evaluatePromotion({ ...base, maxRegression: -0.1, candidateAccuracy: 0.9, currentAccuracyOnSameHoldout: null })).toThrow(/maxRegression/);
  });
});
