import { float32Value } from './float32';

describe('float32Value', () => {
  it.each([
    [5.1, 5.1],
    [5.099999904632568, 5.1],
    [0.2, 0.2],
    [0.20000000298023224, 0.2],
    [3, 3],
    [0.9315372792048138, 0.9315373],
    [1e-45, 1e-45],
    [1.4652045229754237e-276, 0],
  ])('reads %p as %p', (input, expected) => {
    expect(float32Value(input)).toBe(expected);
    expect(Math.fround(float32Value(input))).toBe(Math.fround(input));
  });

  it('keeps what float32 cannot hold out of range rather than clamping it', () => {
    expect(float32Value(1e39)).toBe(Infinity);
    expect(float32Value(NaN)).toBeNaN();
  });
});
