import { PackedRows } from './packed-rows';

const wide = (i: number) => Object.fromEntries(Array.from({ length: 200 }, (_, j) => [`f${String(j).padStart(3, '0')}`, i * 1000 + j + 0.125]));

describe('PackedRows', () => {
  it('gives back every row with its feature names and exact values, in their order', () => {
    const rows = [wide(0), wide(1), wide(2)];
    const packed = PackedRows.of(rows);
    expect(packed.length).toBe(3);
    expect(packed.valueCount).toBe(600);
    rows.forEach((row, i) => {
      expect(packed.row(i)).toEqual(row);
      expect(Object.keys(packed.row(i)!)).toEqual(Object.keys(row));
    });
    expect([packed.row(3), packed.row(-1), packed.row(0.5)]).toEqual([undefined, undefined, undefined]);
  });

  it('keeps rows whose names differ from the first row as they came', () => {
    const rows: Array<Record<string, number>> = [
      { a: 1, b: 2 },
      { b: 3, a: 4 },
      { a: 5, c: 6 },
    ];
    const packed = PackedRows.of(rows);
    expect([packed.row(0), packed.row(1), packed.row(2)]).toEqual(rows);
    expect(packed.valueCount).toBe(6);
  });

  it('keeps negative zero, tiny and huge values as the numbers they were', () => {
    const row = { x: -0, y: Number.MIN_VALUE, z: Number.MAX_VALUE };
    expect(Object.is(PackedRows.of([row]).row(0)!.x, -0)).toBe(true);
    expect(PackedRows.of([row]).row(0)).toEqual(row);
  });

  it("shares the names it is given when the rows have exactly them, as a labeled window's rows do", () => {
    const first = PackedRows.of([wide(0)]);
    const second = PackedRows.of([wide(1)], first.featureNames);
    expect(second.featureNames).toBe(first.featureNames);
    expect(second.row(0)).toEqual(wide(1));
    const other = PackedRows.of([{ z: 1 }], first.featureNames);
    expect([other.featureNames, other.row(0)]).toEqual([['z'], { z: 1 }]);
  });

  it('holds an empty request', () => {
    const packed = PackedRows.of([]);
    expect([packed.length, packed.valueCount, packed.row(0)]).toEqual([0, 0, undefined]);
  });
});
