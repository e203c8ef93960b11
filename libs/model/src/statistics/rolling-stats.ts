export interface Observation {
  features: number[];
  classId: number;
  latencyMs: number;
  /** epoch ms */
  at: number;
}

export interface FeatureSummary {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

export interface RollingSnapshot {
  count: number;
  features: Record<string, FeatureSummary>;
  /** fraction of the window per class name */
  classMix: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number };
}

export interface RollingStatsOptions {
  featureNames: string[];
  classNames: string[];
  maxCount?: number;
  maxAgeMs?: number;
}

/**
 * Sliding window of recent predictions, bounded by count (memory) and by age (relevance).
 * A ring buffer of typed arrays makes `add` O(1) with no allocation; the count bound evicts on
 * `add`, the age bound is applied relative to the `now` each query passes, because the domain
 * core has no clock.
 */
export class RollingStats {
  private readonly featureNames: string[];
  private readonly classNames: string[];
  private readonly maxCount: number;
  private readonly maxAgeMs: number;
  private readonly features: Float64Array;
  private readonly classIds: Int32Array;
  private readonly latencies: Float64Array;
  private readonly times: Float64Array;
  private next = 0;
  private size = 0;

  constructor({ featureNames, classNames, maxCount = 1000, maxAgeMs = 15 * 60_000 }: RollingStatsOptions) {
    if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`maxCount must be a positive integer, got ${maxCount}`);
    if (!(maxAgeMs > 0)) throw new RangeError(`maxAgeMs must be > 0, got ${maxAgeMs}`);
    this.featureNames = [...featureNames];
    this.classNames = [...classNames];
    this.maxCount = maxCount;
    this.maxAgeMs = maxAgeMs;
    this.features = new Float64Array(maxCount * featureNames.length);
    this.classIds = new Int32Array(maxCount);
    this.latencies = new Float64Array(maxCount);
    this.times = new Float64Array(maxCount);
  }

  add(obs: Observation): void {
    const F = this.featureNames.length;
    if (obs.features.length !== F) throw new RangeError(`expected ${F} features, got ${obs.features.length}`);
    if (!obs.features.every(Number.isFinite)) throw new RangeError('features must be finite numbers');
    if (!Number.isInteger(obs.classId) || obs.classId < 0 || obs.classId >= this.classNames.length) {
      throw new RangeError(`classId ${obs.classId} is not a class index in [0, ${this.classNames.length - 1}]`);
    }
    if (!(Number.isFinite(obs.latencyMs) && obs.latencyMs >= 0)) throw new RangeError(`latencyMs must be a finite number >= 0, got ${obs.latencyMs}`);
    if (!Number.isFinite(obs.at)) throw new RangeError(`at must be a finite epoch-ms number, got ${obs.at}`);
    const slot = this.next;
    this.features.set(obs.features, slot * F);
    this.classIds[slot] = obs.classId;
    this.latencies[slot] = obs.latencyMs;
    this.times[slot] = obs.at;
    this.next = (slot + 1) % this.maxCount;
    this.size = Math.min(this.size + 1, this.maxCount);
  }

  snapshot(now: number): RollingSnapshot {
    const slots = this.liveSlots(now);
    const n = slots.length;
    const features: Record<string, FeatureSummary> = {};
    this.featureNames.forEach((name, j) => {
      features[name] = summarize(slots.map((s) => this.features[s * this.featureNames.length + j]));
    });
    const perClass = new Array<number>(this.classNames.length).fill(0);
    for (const s of slots) perClass[this.classIds[s]]++;
    const classMix = Object.fromEntries(this.classNames.map((c, k) => [c, n === 0 ? 0 : perClass[k] / n]));
    const latencies = Float64Array.from(slots, (s) => this.latencies[s]).sort();
    return {
      count: n,
      features,
      classMix,
      latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99) },
    };
  }

  /** Feature values in the window, oldest first. */
  values(feature: string, now: number): number[] {
    const j = this.featureNames.indexOf(feature);
    if (j < 0) throw new RangeError(`unknown feature "${feature}"; known: ${this.featureNames.join(', ')}`);
    return this.liveSlots(now).map((s) => this.features[s * this.featureNames.length + j]);
  }

  /**
   * Slots oldest-first whose observation is at most maxAgeMs older than `now`. Filtering instead of
   * evicting keeps queries side-effect free and copes with slightly out-of-order timestamps.
   */
  private liveSlots(now: number): number[] {
    const oldest = (this.next - this.size + this.maxCount) % this.maxCount;
    const slots: number[] = [];
    for (let i = 0; i < this.size; i++) {
      const s = (oldest + i) % this.maxCount;
      if (now - this.times[s] <= this.maxAgeMs) slots.push(s);
    }
    return slots;
  }
}

function summarize(values: number[]): FeatureSummary {
  const count = values.length;
  if (count === 0) return { count: 0, mean: 0, std: 0, min: 0, max: 0 };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / count;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / count;
  return { count, mean, std: Math.sqrt(variance), min, max };
}

/** Linear interpolation between closest ranks (numpy's default); 0 for an empty window. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
