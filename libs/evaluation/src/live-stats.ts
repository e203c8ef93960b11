import { wilsonInterval } from './statistics';

interface VersionCounts {
  labeled: number;
  correct: number;
  /** confusion[actual][predicted] */
  confusion: number[][];
}

export interface VersionLiveFigures {
  labeled: number;
  correct: number;
  accuracy: number | null;
  accuracyCi95: [number, number] | null;
  perClassRecall: Record<string, number | null>;
  confusionMatrix: number[][];
}

/**
 * Live accuracy of each version on the labeled rows it served: counts only, so memory is per
 * version, not per row. The default model's classes are fixed; a named model's versions may
 * each know other classes, so with `grow` a class first met is added (to every version's matrix).
 */
export class LiveStats {
  private readonly versions = new Map<number, VersionCounts>();
  private readonly classNames: string[];

  constructor(
    classNames: readonly string[],
    private readonly options: { grow?: boolean } = {},
  ) {
    this.classNames = [...classNames];
  }

  get classes(): readonly string[] {
    return this.classNames;
  }

  add(version: number, label: string, predicted: string): void {
    if (this.options.grow) for (const c of [label, predicted]) if (!this.classNames.includes(c)) this.addClass(c);
    const actual = this.classNames.indexOf(label);
    const guess = this.classNames.indexOf(predicted);
    if (actual < 0 || guess < 0) throw new RangeError(`unknown class ${actual < 0 ? label : predicted}`);
    let counts = this.versions.get(version);
    if (!counts) {
      counts = { labeled: 0, correct: 0, confusion: this.classNames.map(() => this.classNames.map(() => 0)) };
      this.versions.set(version, counts);
    }
    counts.labeled++;
    if (actual === guess) counts.correct++;
    counts.confusion[actual][guess]++;
  }

  private addClass(name: string): void {
    this.classNames.push(name);
    for (const { confusion } of this.versions.values()) {
      for (const row of confusion) row.push(0);
      confusion.push(this.classNames.map(() => 0));
    }
  }

  versionsSeen(): number[] {
    return [...this.versions.keys()].sort((a, b) => a - b);
  }

  figures(version: number): VersionLiveFigures {
    const c = this.versions.get(version);
    const confusion = c?.confusion ?? this.classNames.map(() => this.classNames.map(() => 0));
    const labeled = c?.labeled ?? 0;
    const correct = c?.correct ?? 0;
    const perClassRecall = Object.fromEntries(
      this.classNames.map((name, k) => {
        const support = confusion[k].reduce((s, v) => s + v, 0);
        return [name, support === 0 ? null : confusion[k][k] / support];
      }),
    );
    return {
      labeled,
      correct,
      accuracy: labeled === 0 ? null : correct / labeled,
      accuracyCi95: wilsonInterval(correct, labeled),
      perClassRecall,
      confusionMatrix: confusion.map((row) => [...row]),
    };
  }
}
