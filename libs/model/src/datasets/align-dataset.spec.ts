import { alignDataset } from './align-dataset';
import { DatasetError } from './dataset-error';

const schema = { featureNames: ['a', 'b', 'c'], classNames: ['x', 'y', 'z'] };

describe('alignDataset', () => {
  it('reorders columns by name and re-indexes labels into the schema’s classes', () => {
    const holdout = {
      featureNames: ['c', 'a', 'b'],
      classNames: ['y', 'z'],
      X: [
        [3, 1, 2],
        [6, 4, 5],
      ],
      y: [1, 0],
    };
    expect(alignDataset(holdout, schema, 'the holdout')).toEqual({
      ...schema,
      X: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      y: [2, 1],
    });
  });

  it.each([
    [
      'a missing feature',
      { featureNames: ['a', 'b'], classNames: ['x'], X: [[1, 2]], y: [0] },
      'the holdout lacks "c"; its features must be the training data\'s',
    ],
    [
      'an extra feature',
      { featureNames: ['a', 'b', 'c', 'd'], classNames: ['x'], X: [[1, 2, 3, 4]], y: [0] },
      'the holdout has "d" the training data does not; its features must be the training data\'s',
    ],
    [
      'a renamed feature',
      { featureNames: ['a', 'b', 'C'], classNames: ['x'], X: [[1, 2, 3]], y: [0] },
      'the holdout lacks "c" and has "C" the training data does not; its features must be the training data\'s',
    ],
    [
      'an unknown class',
      { featureNames: ['a', 'b', 'c'], classNames: ['w', 'x'], X: [[1, 2, 3]], y: [0] },
      'the holdout has classes the training data does not: "w"',
    ],
  ])('refuses %s with a DatasetError naming it', (_, data, message) => {
    expect(() => alignDataset(data, schema, 'the holdout')).toThrow(new DatasetError(message));
  });
});
