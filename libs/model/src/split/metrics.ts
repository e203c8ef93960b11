export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics>;
  /** [true][pred] */
  confusionMatrix: number[][];
}

/**
 * Undefined ratios (no predictions, no support, no rows) count as 0, like sklearn's zero_division=0.
 * F1 is 2·tp / (support + predicted), sklearn's form, so values match it bit for bit.
 */
export function classificationReport(yTrue: number[], yPred: number[], classNames: string[]): ClassificationReport {
  if (yTrue.length !== yPred.length) throw new RangeError(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  const k = classNames.length;
  const confusionMatrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    for (const [name, v] of [
      ['yTrue', yTrue[i]],
      ['yPred', yPred[i]],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= k) throw new RangeError(`${name}[${i}] = ${v} is not a class index in [0, ${k - 1}]`);
    }
    confusionMatrix[yTrue[i]][yPred[i]]++;
  }

  let correct = 0;
  const perClass: Record<string, ClassMetrics> = {};
  classNames.forEach((name, c) => {
    const tp = confusionMatrix[c][c];
    correct += tp;
    const support = confusionMatrix[c].reduce((s, v) => s + v, 0);
    const predicted = confusionMatrix.reduce((s, row) => s + row[c], 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    perClass[name] = { precision, recall, f1: ratio(2 * tp, support + predicted), support };
  });
  const macroF1 = k === 0 ? 0 : Object.values(perClass).reduce((s, m) => s + m.f1, 0) / k;
  return { accuracy: ratio(correct, yTrue.length), macroF1, perClass, confusionMatrix };
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
