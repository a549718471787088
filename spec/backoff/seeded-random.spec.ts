import { expect } from 'chai';
import fc from 'fast-check';
import { exponentialBackoff } from '../../src/backoff/exponential-backoff';
import { seededRandom } from '../../src/backoff/seeded-random';
import { InvalidOptionsError } from '../../src/errors';
import { schedule } from './support';

const draws = (seed: number, n: number): number[] => {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => random());
};

describe('seededRandom', () => {
  it('should give the same sequence for the same seed, in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = draws(seed, 50);
        expect(draws(seed, 50)).to.deep.equal(a);
        expect(a.every((x) => x >= 0 && x < 1)).to.equal(true);
      }),
    );
  });

  it('should give different sequences for different seeds', () => {
    expect(draws(1, 5)).not.to.deep.equal(draws(2, 5));
    expect(new Set(draws(42, 1000)).size).to.equal(1000);
  });

  it('should be roughly uniform', () => {
    const values = draws(7, 20_000);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).to.be.closeTo(0.5, 0.01);
    const buckets = new Array<number>(10).fill(0);
    for (const v of values) buckets[Math.floor(v * 10)]! += 1;
    for (const count of buckets) expect(count).to.be.within(1800, 2200);
  });

  it('should make jittered backoff reproducible', () => {
    const strategy = exponentialBackoff({ jitter: 'decorrelated' });
    expect(schedule(strategy, 10, seededRandom(99))).to.deep.equal(schedule(strategy, 10, seededRandom(99)));
  });

  for (const bad of [NaN, Infinity, -Infinity]) {
    it(`should throw InvalidOptionsError for the seed ${bad}`, () => {
      expect(() => seededRandom(bad)).to.throw(InvalidOptionsError, `seededRandom: seed must be a finite number, got ${bad}`);
    });
  }
});
