import { namedInstanceProblems } from './named-instances';

const FEATURES = ['alcohol', 'hue'];

describe('namedInstanceProblems', () => {
  it('accepts rows with exactly the features, as finite numbers', () => {
    expect(
      namedInstanceProblems(
        [
          { alcohol: 13, hue: 1.05 },
          { hue: 0, alcohol: -1 },
        ],
        FEATURES,
        'wine',
        'instances',
      ),
    ).toEqual([]);
  });

  it('names every missing, mistyped, non-finite and unknown field with its place in the body', () => {
    expect(namedInstanceProblems([{ hue: '1', colour: 2 }, { alcohol: Infinity, hue: 1 }, 7], FEATURES, 'wine', 'instances')).toEqual([
      { field: 'instances.0.alcohol', message: 'is required' },
      { field: 'instances.0.hue', message: 'must be a number' },
      { field: 'instances.0.colour', message: 'is not a feature of model wine' },
      { field: 'instances.1.alcohol', message: 'must be a finite number' },
      { field: 'instances.2', message: 'must be an object of the 2 features of model wine' },
    ]);
    expect(namedInstanceProblems([null], FEATURES, 'wine', '')).toEqual([{ field: '(body)', message: 'must be an object of the 2 features of model wine' }]);
  });

  it('bounds the answer to a row of 100,000 unknown keys, and the names it echoes', () => {
    const row = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`${'k'.repeat(100)}${i}`, 1]));
    const problems = namedInstanceProblems([{ alcohol: 1, hue: 1, ...row }], FEATURES, 'wine', '');
    expect(problems).toHaveLength(21);
    expect(problems[20]).toEqual({ field: '(body)', message: 'and more problems' });
    expect(problems[0].field).toHaveLength(64);
  });

  it('reads only a row’s own fields: a feature named like an Object.prototype member is required like any other', () => {
    expect(namedInstanceProblems([{ hue: 1 }], ['constructor', 'hue'], 'odd', '')).toEqual([{ field: 'constructor', message: 'is required' }]);
    expect(namedInstanceProblems([JSON.parse('{"__proto__": 1, "hue": 1}')], ['hue'], 'odd', '')).toEqual([
      { field: '__proto__', message: 'is not a feature of model odd' },
    ]);
  });
});
