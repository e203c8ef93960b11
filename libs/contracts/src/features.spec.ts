import { batchSchema, featureVector, featuresSchema, MAX_BATCH } from './features';

const valid = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const issuesOf = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  (result.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('featuresSchema', () => {
  it.each([0.1, 100, 5.1])('accepts %p cm', (v) => {
    expect(featuresSchema.safeParse({ ...valid, sepal_length: v })).toEqual({ success: true, data: { ...valid, sepal_length: v } });
  });

  it.each([
    [0, 'must be greater than 0 cm'],
    [-1, 'must be greater than 0 cm'],
    [100.0001, 'must be at most 100 cm'],
    [Infinity, 'must be a finite number'],
    [-Infinity, 'must be a finite number'],
    [NaN, 'must be a finite number'],
    ['5', 'must be a number'],
    [null, 'must be a number'],
  ])('rejects %p with "%s"', (v, message) => {
    expect(issuesOf(featuresSchema.safeParse({ ...valid, petal_width: v }))).toEqual([`petal_width: ${message}`]);
  });

  it('says a missing feature is required', () => {
    const { petal_length: _dropped, ...rest } = valid;
    expect(issuesOf(featuresSchema.safeParse(rest))).toEqual(['petal_length: is required']);
  });

  it('rejects an extra key', () => {
    const result = featuresSchema.safeParse({ ...valid, color: 1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['color'] });
  });
});

describe('batchSchema', () => {
  const instances = (n: number) => Array.from({ length: n }, () => valid);

  it('accepts 1 and MAX_BATCH (1000) instances', () => {
    expect(MAX_BATCH).toBe(1000);
    expect(batchSchema.safeParse({ instances: instances(1) }).success).toBe(true);
    expect(batchSchema.safeParse({ instances: instances(1000) }).success).toBe(true);
  });

  it('rejects 0 instances', () => {
    expect(issuesOf(batchSchema.safeParse({ instances: [] }))).toEqual(['instances: must contain at least 1 instance']);
  });

  it('rejects 1001 instances', () => {
    expect(issuesOf(batchSchema.safeParse({ instances: instances(1001) }))).toEqual(['instances: must contain at most 1000 instances']);
  });

  it('rejects instances that are not an array', () => {
    expect(issuesOf(batchSchema.safeParse({ instances: valid }))).toEqual(['instances: must be an array of feature objects']);
  });

  it('names the index of an invalid instance', () => {
    expect(issuesOf(batchSchema.safeParse({ instances: [valid, { ...valid, sepal_width: 0 }] }))).toEqual([
      'instances.1.sepal_width: must be greater than 0 cm',
    ]);
  });
});

describe('featureVector', () => {
  it('orders the values as FEATURE_NAMES, whatever the key order of the object', () => {
    expect(featureVector({ petal_width: 0.2, petal_length: 1.4, sepal_width: 3.5, sepal_length: 5.1 })).toEqual([5.1, 3.5, 1.4, 0.2]);
  });
});
