import { LiveStats } from './live-stats';

describe('LiveStats', () => {
  it('counts per version: accuracy, Wilson interval, per-class recall and the confusion matrix', () => {
    const stats = new LiveStats(['setosa', 'versicolor', 'virginica']);
    const rows: Array<[string, string]> = [
      ['setosa', 'setosa'],
      ['setosa', 'setosa'],
      ['versicolor', 'virginica'],
      ['versicolor', 'versicolor'],
      ['virginica', 'virginica'],
    ];
    for (const [label, predicted] of rows) stats.add(2, label, predicted);
    stats.add(3, 'setosa', 'versicolor');
    const v2 = stats.figures(2);
    expect(v2).toMatchObject({
      labeled: 5,
      correct: 4,
      accuracy: 0.8,
      perClassRecall: { setosa: 1, versicolor: 0.5, virginica: 1 },
      confusionMatrix: [
        [2, 0, 0],
        [0, 1, 1],
        [0, 0, 1],
      ],
    });
    expect(v2.accuracyCi95!.map((x) => Math.round(x * 1e4) / 1e4)).toEqual([0.3755, 0.9638]);
    expect(stats.figures(3)).toMatchObject({ labeled: 1, correct: 0, accuracy: 0, perClassRecall: { setosa: 0, versicolor: null, virginica: null } });
    expect(stats.figures(9)).toMatchObject({ labeled: 0, accuracy: null, accuracyCi95: null });
    expect(stats.versionsSeen()).toEqual([2, 3]);
  });

  it('refuses a class it does not know', () => {
    expect(() => new LiveStats(['a', 'b']).add(1, 'a', 'c')).toThrow('unknown class c');
  });

  it("with grow, adds a class first met to every version's confusion matrix (a named model's versions may know other classes)", () => {
    const stats = new LiveStats(['a', 'b'], { grow: true });
    stats.add(1, 'a', 'a');
    stats.add(2, 'b', 'a');
    stats.add(2, 'c', 'b');
    expect(stats.classes).toEqual(['a', 'b', 'c']);
    expect(stats.figures(1)).toMatchObject({
      labeled: 1,
      correct: 1,
      perClassRecall: { a: 1, b: null, c: null },
      confusionMatrix: [
        [1, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    });
    expect(stats.figures(2)).toMatchObject({
      labeled: 2,
      correct: 0,
      perClassRecall: { a: null, b: 0, c: 0 },
      confusionMatrix: [
        [0, 0, 0],
        [1, 0, 0],
        [0, 1, 0],
      ],
    });
  });
});
