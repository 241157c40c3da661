/** Summary statistics over latency samples (nanoseconds in, milliseconds out). */

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** Nearest-rank percentile of an ascending array (q in 0..1). */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  return percentileOfSorted(Float64Array.from(values).sort(), 0.5);
}

/** Percentiles of nanosecond samples, expressed in milliseconds. */
export function summarizeNs(samplesNs: readonly number[]): Percentiles {
  const sorted = Float64Array.from(samplesNs).sort();
  const ms = (ns: number) => ns / 1e6;
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    p50: ms(percentileOfSorted(sorted, 0.5)),
    p90: ms(percentileOfSorted(sorted, 0.9)),
    p99: ms(percentileOfSorted(sorted, 0.99)),
    mean: ms(sorted.length ? sum / sorted.length : Number.NaN),
    min: ms(sorted[0] ?? Number.NaN),
    max: ms(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

/** Gateway minus direct, percentile by percentile (the "added" latency). */
export function difference(gateway: Percentiles, direct: Percentiles): Pick<Percentiles, 'p50' | 'p90' | 'p99'> {
  return { p50: gateway.p50 - direct.p50, p90: gateway.p90 - direct.p90, p99: gateway.p99 - direct.p99 };
}

export const round = (value: number, digits = 3): number => {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** Least-squares slope of y over x (NaN with fewer than two distinct x). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return Number.NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]! / n;
    my += ys[i]! / n;
  }
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxx === 0 ? Number.NaN : sxy / sxx;
}
