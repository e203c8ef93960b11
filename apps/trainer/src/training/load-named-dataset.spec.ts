import type { NamedLabeledRow } from '@app/contracts';
import { DatasetError } from '@app/model';
import { namedDatasetSource, namedFeedbackDataset, type NamedDataset } from './load-named-dataset';

/** A model's first dataset, its columns in another order than the model's. */
const reference: NamedDataset = {
  data: {
    featureNames: ['b', 'a'],
    classNames: ['yes', 'no'],
    X: [
      [10, 1],
      [20, 2],
    ],
    y: [0, 1],
  },
  schema: { label: 'y', features: [] } as unknown as NamedDataset['schema'],
  label: 'csv:m.csv',
  reference: { dataset: 'm.csv', label: 'y' },
};
const model = { name: 'm', featureNames: ['a', 'b'], classNames: ['no', 'yes'] };

function row(overrides: Partial<NamedLabeledRow>): NamedLabeledRow {
  return {
    model_name: 'm',
    request_id: 'r',
    row: 0,
    label: 'yes',
    labeled_at: '2026-12-02T00:00:00.000Z',
    joined: true,
    served_version: 1,
    predicted: 'no',
    input: { a: 3, b: 30 },
    predicted_at: '2026-12-02T00:00:00.000Z',
    ...overrides,
  };
}

describe('namedFeedbackDataset', () => {
  it("learns from the reference rows plus the model's own joined labels, in the model's feature and class order", () => {
    const rows = [
      row({}),
      row({ request_id: 'other-model', model_name: 'n' }),
      row({ request_id: 'waiting', joined: false, input: null, predicted: null, served_version: null }),
      row({ request_id: 'no-b', input: { a: 4 } }),
      row({ request_id: 'new-class', label: 'maybe' }),
      row({ request_id: 'r2', label: 'no', input: { b: 50, a: 5, c: 7 } }),
    ];
    const d = namedFeedbackDataset(reference, model, rows);
    expect(d.data).toEqual({
      featureNames: ['a', 'b'],
      classNames: ['no', 'yes'],
      X: [
        [1, 10],
        [2, 20],
        [3, 30],
        [5, 50],
      ],
      y: [1, 0, 1, 0],
    });
    // Two labeled rows of this model could not be learned from: a feature missing, a class it does not have.
    expect(d.label).toBe('feedback:2:skipped:2');
    expect(d.reference).toEqual({ dataset: 'm.csv', label: 'y' });
  });

  it('takes labels from `since` on', () => {
    const rows = [row({ labeled_at: '2026-11-30T23:59:59.999Z' }), row({ request_id: 'later', labeled_at: '2026-12-01T00:00:00.000Z' })];
    const d = namedFeedbackDataset(reference, model, rows, '2026-12-01T00:00:00Z');
    expect([d.data.X.length, d.label]).toEqual([3, 'feedback:1:since:2026-12-01T00:00:00Z']);
  });
});

describe('namedDatasetSource', () => {
  it('refuses inline rows and feedback (read from the bus, not a file) with the reason', () => {
    expect(() => namedDatasetSource({ source: 'inline', rows: [] } as never)).toThrow(DatasetError);
    expect(() => namedDatasetSource({ source: 'feedback' })).toThrow('retrained from a CSV, its rows or its feedback');
    expect(() => namedDatasetSource(undefined)).toThrow('a named model is trained from a dataset');
    expect(namedDatasetSource({ source: 'csv', path: 'x.csv', label: 'y' })).toEqual({ source: 'csv', path: 'x.csv', label: 'y' });
  });
});
