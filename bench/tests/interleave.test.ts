import { expect } from 'chai';
import { compare, interleavedRounds, roundOrder } from '../lib/interleave.ts';
import type { BenchPath, MeasureRound } from '../lib/interleave.ts';
import { summarizeNs } from '../lib/stats.ts';

const ms = (value: number): number => value * 1e6;

/** Measure functions that log each call as `path@round` and return that round's samples from the table. */
function scripted(samples: Record<BenchPath, number[][]>): { measure: Record<BenchPath, MeasureRound>; calls: string[] } {
  const calls: string[] = [];
  const rounds: Record<BenchPath, number> = { gateway: 0, direct: 0 };
  const measureOf = (path: BenchPath): MeasureRound => async () => {
    const round = rounds[path]++;
    calls.push(`${path}@${round}`);
    return samples[path][round] ?? [];
  };
  return { measure: { gateway: measureOf('gateway'), direct: measureOf('direct') }, calls };
}

describe('bench interleaving: roundOrder', () => {
  const cases: [number, [BenchPath, BenchPath]][] = [
    [0, ['gateway', 'direct']],
    [1, ['direct', 'gateway']],
    [2, ['gateway', 'direct']],
    [7, ['direct', 'gateway']],
  ];
  for (const [round, order] of cases) {
    it(`runs ${order.join(' then ')} in round ${round}`, () => {
      // Act / Assess
      expect(roundOrder(round)).to.deep.equal(order);
    });
  }
});

describe('bench interleaving: interleavedRounds', () => {
  it('alternates which path goes first, round after round', async () => {
    // Prepare
    const { measure, calls } = scripted({ gateway: [[1], [1], [1], [1]], direct: [[1], [1], [1], [1]] });

    // Act
    await interleavedRounds(4, measure);

    // Assess
    expect(calls).to.deep.equal(['gateway@0', 'direct@0', 'direct@1', 'gateway@1', 'gateway@2', 'direct@2', 'direct@3', 'gateway@3']);
  });

  it('finishes one path before starting the other', async () => {
    // Prepare
    let running = 0;
    let overlapped = false;
    const slow: MeasureRound = async () => {
      overlapped ||= running > 0;
      running++;
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      return [1];
    };

    // Act
    await interleavedRounds(3, { gateway: slow, direct: slow });

    // Assess
    expect(overlapped).to.equal(false);
  });

  it('keeps each path’s samples in round order and takes the p50 difference per round, in ms', async () => {
    // Prepare
    const { measure } = scripted({
      gateway: [[ms(3), ms(5), ms(4)], [ms(10)]],
      direct: [[ms(1), ms(2), ms(3)], [ms(7)]],
    });

    // Act
    const samples = await interleavedRounds(2, measure);

    // Assess
    expect(samples.gateway).to.deep.equal([ms(3), ms(5), ms(4), ms(10)]);
    expect(samples.direct).to.deep.equal([ms(1), ms(2), ms(3), ms(7)]);
    expect(samples.roundP50Diffs).to.deep.equal([4 - 2, 10 - 7]);
  });

  it('leaves a round without samples on one path out of the per-round differences', async () => {
    // Prepare
    const { measure } = scripted({ gateway: [[ms(2)], [], [ms(9)]], direct: [[ms(1)], [ms(1)], [ms(4)]] });

    // Act
    const samples = await interleavedRounds(3, measure);

    // Assess
    expect(samples.roundP50Diffs).to.deep.equal([1, 5]);
    expect(samples.direct).to.have.length(3);
  });

  it('measures nothing for zero rounds', async () => {
    // Prepare
    const { measure, calls } = scripted({ gateway: [], direct: [] });

    // Act
    const samples = await interleavedRounds(0, measure);

    // Assess
    expect(calls).to.deep.equal([]);
    expect(samples).to.deep.equal({ gateway: [], direct: [], roundP50Diffs: [] });
  });
});

describe('bench interleaving: compare', () => {
  it('summarizes both paths, subtracts their percentiles and takes the median per-round difference', () => {
    // Prepare
    const samples = { gateway: [ms(2), ms(3), ms(10)], direct: [ms(1), ms(1.5), ms(4)], roundP50Diffs: [0.5, -0.25, 2] };

    // Act
    const comparison = compare(samples);

    // Assess
    expect(comparison).to.deep.equal({
      gateway: summarizeNs(samples.gateway),
      direct: summarizeNs(samples.direct),
      added: { p50: 1.5, p90: 6, p99: 6 },
      addedP50RoundMedian: 0.5,
    });
  });
});
