import { expect } from 'chai';
import { difference, median, percentileOfSorted, round, slope, summarizeNs } from '../lib/stats.ts';

const ONE_TO_TEN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe('bench stats: percentileOfSorted (nearest rank)', () => {
  const cases: { name: string; sorted: number[]; q: number; expected: number }[] = [
    { name: 'p50 of 1..10', sorted: ONE_TO_TEN, q: 0.5, expected: 5 },
    { name: 'p90 of 1..10', sorted: ONE_TO_TEN, q: 0.9, expected: 9 },
    { name: 'p99 of 1..10 (the top sample, not an interpolation)', sorted: ONE_TO_TEN, q: 0.99, expected: 10 },
    { name: 'q = 0 (the smallest sample)', sorted: ONE_TO_TEN, q: 0, expected: 1 },
    { name: 'q = 1 (the largest sample)', sorted: ONE_TO_TEN, q: 1, expected: 10 },
    { name: 'p50 of an even count (the lower middle, not the mean of the two)', sorted: [1, 2, 3, 4], q: 0.5, expected: 2 },
    { name: 'any percentile of one sample', sorted: [7], q: 0.99, expected: 7 },
  ];
  for (const { name, sorted, q, expected } of cases) {
    it(`gives ${expected} for ${name}`, () => {
      // Act
      const value = percentileOfSorted(sorted, q);
      // Assess
      expect(value).to.equal(expected);
    });
  }

  it('gives NaN for no samples', () => {
    // Act
    const value = percentileOfSorted([], 0.5);
    // Assess
    expect(value).to.be.NaN;
  });

  it('reads typed arrays too', () => {
    // Act
    const value = percentileOfSorted(Float64Array.from(ONE_TO_TEN), 0.9);
    // Assess
    expect(value).to.equal(9);
  });
});

describe('bench stats: median', () => {
  it('sorts numerically, not as strings', () => {
    // Prepare: as strings, "100" < "9" would put 100 in the middle.
    const values = [100, 9, 10];
    // Act
    const value = median(values);
    // Assess
    expect(value).to.equal(10);
  });

  it('leaves its input unsorted', () => {
    // Prepare
    const values = [3, 1, 2];
    // Act
    median(values);
    // Assess
    expect(values).to.deep.equal([3, 1, 2]);
  });

  it('handles negative differences and gives NaN for none', () => {
    // Act
    const [negative, empty] = [median([-0.2, 0.1, -0.5]), median([])];
    // Assess
    expect(negative).to.equal(-0.2);
    expect(empty).to.be.NaN;
  });
});

describe('bench stats: summarizeNs', () => {
  it('summarizes nanosecond samples in milliseconds, in any input order', () => {
    // Prepare
    const samplesNs = [3e6, 1e6, 4e6, 2e6];
    // Act
    const summary = summarizeNs(samplesNs);
    // Assess
    expect(summary).to.deep.equal({ count: 4, p50: 2, p90: 4, p99: 4, mean: 2.5, min: 1, max: 4 });
  });

  it('gives a count of 0 and NaN figures for no samples', () => {
    // Act
    const summary = summarizeNs([]);
    // Assess
    expect(summary.count).to.equal(0);
    for (const key of ['p50', 'p90', 'p99', 'mean', 'min', 'max'] as const) expect(summary[key], key).to.be.NaN;
  });
});

describe('bench stats: difference', () => {
  it('subtracts direct from gateway percentile by percentile', () => {
    // Prepare
    const gateway = summarizeNs([2e6, 3e6, 10e6]);
    const direct = summarizeNs([1e6, 1.5e6, 4e6]);
    // Act
    const added = difference(gateway, direct);
    // Assess
    expect(added).to.deep.equal({ p50: 1.5, p90: 6, p99: 6 });
  });
});

describe('bench stats: round', () => {
  const cases: { value: number; digits?: number; expected: number }[] = [
    { value: 1.23456, expected: 1.235 },
    { value: 1.23456, digits: 1, expected: 1.2 },
    { value: -1.23456, expected: -1.235 },
    { value: 12, digits: 0, expected: 12 },
    { value: Number.POSITIVE_INFINITY, expected: Number.POSITIVE_INFINITY },
  ];
  for (const { value, digits, expected } of cases) {
    it(`rounds ${value} to ${expected} with ${digits ?? 3} digits`, () => {
      // Act
      const rounded = round(value, digits);
      // Assess
      expect(rounded).to.equal(expected);
    });
  }

  it('leaves NaN as NaN', () => {
    // Act / Assess
    expect(round(Number.NaN)).to.be.NaN;
  });
});

describe('bench stats: slope (least squares)', () => {
  it('recovers the slope of a line', () => {
    // Prepare: y = 2x + 1
    const xs = [1000, 2000, 3000, 4000];
    const ys = xs.map((x) => 2 * x + 1);
    // Act
    const value = slope(xs, ys);
    // Assess
    expect(value).to.be.closeTo(2, 1e-9);
  });

  it('fits noisy points', () => {
    // Act
    const value = slope([0, 1, 2, 3], [0, 1, 1, 2]);
    // Assess: sxy = 3, sxx = 5
    expect(value).to.be.closeTo(0.6, 1e-12);
  });

  it('uses only the pairs both arrays have', () => {
    // Act
    const value = slope([0, 1, 2], [0, 3]);
    // Assess
    expect(value).to.equal(3);
  });

  for (const [label, xs, ys] of [
    ['one point', [1], [1]],
    ['no points', [], []],
    ['the same x everywhere', [5, 5, 5], [1, 2, 3]],
  ] as const) {
    it(`gives NaN for ${label}`, () => {
      // Act / Assess
      expect(slope(xs, ys)).to.be.NaN;
    });
  }
});
