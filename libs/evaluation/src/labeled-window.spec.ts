import { LabeledWindow } from './labeled-window';

describe('LabeledWindow', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const w = new LabeledWindow<number>(3);
    for (let i = 1; i <= 5000; i++) w.push(i);
    expect(w.values()).toEqual([4998, 4999, 5000]);
    expect(w.size).toBe(3);
  });
});
