/**
 * The number an FP32 value stands for: the shortest decimal that rounds to the same float32
 * (what numpy prints for it). A client's float32 5.1 arrives as 5.099999904632568; read as the
 * 5.1 it was made from, it scores exactly as 5.1 sent as JSON to /predict does.
 */
export function float32Value(x: number): number {
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return f;
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(f.toPrecision(digits));
    if (Math.fround(shortest) === f) return shortest;
  }
  // Nine significant digits always round-trip a float32.
  return Number(f.toPrecision(9));
}
