import { comparePaired } from './paired-comparison';

const threshold = (t: number) => (x: readonly number[]) => (x[0] > t ? 'high' : 'low');

describe('comparePaired', () => {
  it('counts each side right and the discordant rows, and tests them with McNemar', () => {
    // Labels follow a threshold of 5; the incumbent cuts at 3, the challenger at 5.
    const rows = [1, 2, 4, 4.5, 6, 7, 4.2, 3.5].map((v) => ({ features: [v], label: v > 5 ? 'high' : 'low' }));
    const c = comparePaired(rows, threshold(3), threshold(5));
    expect(c).toEqual({
      labeled: 8,
      incumbentCorrect: 4,
      challengerCorrect: 8,
      challengerOnly: 4,
      incumbentOnly: 0,
      incumbentAccuracy: 0.5,
      challengerAccuracy: 1,
      pValue: 0.125,
    });
  });

  it('gives p = 1 and no accuracy on no rows', () => {
    expect(comparePaired([], threshold(1), threshold(2))).toMatchObject({ labeled: 0, pValue: 1, incumbentAccuracy: null });
  });
});
