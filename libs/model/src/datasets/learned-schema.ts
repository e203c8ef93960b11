import type { LabeledDataset } from './labeled-dataset';

/** A numeric feature as the training data showed it. */
export interface FeatureSchema {
  name: string;
  /** Smallest and largest value in the training data. */
  min: number;
  max: number;
}

/** What a dataset teaches about a model's inputs and outputs: its features in order and its class labels. */
export interface LearnedSchema {
  /** The column the labels came from. */
  label: string;
  features: FeatureSchema[];
  /** Sorted as numpy's np.unique sorts strings, so class k means what scikit-learn's classes_[k] means. */
  classNames: string[];
}

export function learnSchema(data: LabeledDataset, label: string): LearnedSchema {
  const features = data.featureNames.map((name, j) => {
    let min = Infinity;
    let max = -Infinity;
    for (const row of data.X) {
      min = Math.min(min, row[j]);
      max = Math.max(max, row[j]);
    }
    return { name, min, max };
  });
  return { label, features, classNames: [...data.classNames] };
}

/**
 * Orders strings by Unicode code point, as numpy and Python compare them. JavaScript's default
 * sort compares UTF-16 code units, which puts characters beyond U+FFFF (emoji, rare CJK) before
 * U+E000–U+FFFF and would disagree with scikit-learn's classes_ order.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
