import { expect } from 'chai';
import fc from 'fast-check';
import { exponentialBackoff, Jitter } from '../../src/backoff/exponential-backoff';
import { InvalidOptionsError } from '../../src/errors';
import { seededRandom } from '../../src/backoff/seeded-random';
import { JUST_BELOW_ONE, cycle, delay, noRandom, randomValues, schedule, within } from './support';

/** initialDelay <= maxDelay, factor >= 1. */
const config = fc
  .tuple(delay, delay, fc.oneof(fc.constant(1), fc.double({ min: 1, max: 10, noNaN: true })))
  .map(([a, b, factor]) => ({ initialDelay: Math.min(a, b), maxDelay: Math.max(a, b), factor }));
const jitter = fc.constantFrom<Jitter>('none', 'full', 'equal', 'decorrelated');
const attempts = fc.integer({ min: 1, max: 80 });
/** The default backoff (full jitter, 1 s doubling) with seededRandom(42): attempts 1 to 6, in whole ms. */
const GOLDEN_FULL_42 = [602, 897, 3410, 5358, 2798, 15798];

describe('exponentialBackoff', () => {
  it('should stay within [0, maxDelay] in whole milliseconds for every jitter and random sequence', () => {
    fc.assert(
      fc.property(config, jitter, attempts, randomValues, (c, j, count, values) => {
        const delays = schedule(exponentialBackoff({ ...c, jitter: j }), count, cycle(values));
        return within(delays, 0, c.maxDelay);
      }),
      { numRuns: 500 },
    );
  });

  it('should round a subnormal delay up to 1 ms, the shortest whole wait, with equal jitter (d / 2 rounds)', () => {
    const tiny = 1.5e-323;
    const strategy = exponentialBackoff({ initialDelay: tiny, maxDelay: tiny, factor: 1, jitter: 'equal' });
    expect(strategy(1, 0, () => JUST_BELOW_ONE)).to.equal(1);
  });

  it('should not exceed an integer maxDelay with equal jitter and a draw just below 1', () => {
    for (const maxDelay of [1, 3, 999, 1001, 30_000, 2 ** 31 - 1]) {
      const strategy = exponentialBackoff({ initialDelay: maxDelay, maxDelay, jitter: 'equal' });
      expect(strategy(1, 0, () => JUST_BELOW_ONE), String(maxDelay)).to.equal(maxDelay);
    }
  });

  it('should give whole milliseconds from a seeded random source (golden values)', () => {
    for (const j of ['full', 'equal', 'decorrelated'] as const) {
      const delays = schedule(exponentialBackoff({ jitter: j }), 8, seededRandom(42));
      expect(delays.every(Number.isInteger), `${j}: ${delays.join(', ')}`).to.equal(true);
    }
    expect(schedule(exponentialBackoff(), 6, seededRandom(42))).to.deep.equal(GOLDEN_FULL_42);
  });

  it('should stay within [0, maxDelay] in whole milliseconds for a source that always returns 0 or always just below 1', () => {
    for (const edge of [0, JUST_BELOW_ONE]) {
      fc.assert(
        fc.property(config, jitter, attempts, (c, j, count) => {
          const delays = schedule(exponentialBackoff({ ...c, jitter: j }), count, () => edge);
          return within(delays, 0, c.maxDelay) && (j !== 'full' || edge !== 0 || delays.every((d) => d === 0));
        }),
      );
    }
  });

  it('should give the same delays for the same random sequence', () => {
    fc.assert(
      fc.property(config, jitter, attempts, randomValues, (c, j, count, values) => {
        const strategy = exponentialBackoff({ ...c, jitter: j });
        expect(schedule(strategy, count, cycle(values))).to.deep.equal(schedule(strategy, count, cycle(values)));
        expect(schedule(exponentialBackoff({ ...c, jitter: j }), count, cycle(values))).to.deep.equal(
          schedule(strategy, count, cycle(values)),
        );
      }),
    );
  });

  it('should follow min(maxDelay, initialDelay * factor^(n-1)), rounded up, without jitter, never drawing a random number', () => {
    fc.assert(
      fc.property(config, attempts, (c, count) => {
        const delays = schedule(exponentialBackoff({ ...c, jitter: 'none' }), count, noRandom);
        delays.forEach((d, i) => {
          const expected = c.initialDelay === 0 ? 0 : Math.ceil(Math.min(c.maxDelay, c.initialDelay * c.factor ** i));
          expect(d).to.equal(expected);
          if (i > 0) expect(d).to.be.at.least(delays[i - 1]!);
        });
      }),
    );
  });

  it('should scale the un-jittered delay by the draw with full jitter: r * d, rounded up', () => {
    fc.assert(
      fc.property(config, attempts, randomValues, (c, attempt, values) => {
        const r = values[0]!;
        const d = Math.min(c.maxDelay, c.initialDelay * c.factor ** (attempt - 1));
        const got = exponentialBackoff({ ...c, jitter: 'full' })(attempt, 0, () => r);
        expect(got).to.be.within(0, Math.ceil(d));
        expect(got).to.equal(Math.ceil(r * d));
      }),
    );
  });

  it('should stay in [d/2, d] with equal jitter (d rounded up)', () => {
    fc.assert(
      fc.property(config, attempts, randomValues, (c, attempt, values) => {
        const d = Math.min(c.maxDelay, c.initialDelay * c.factor ** (attempt - 1));
        const got = exponentialBackoff({ ...c, jitter: 'equal' })(attempt, 0, cycle(values));
        expect(got).to.be.within(d / 2, Math.ceil(d));
      }),
    );
  });

  it('should stay in [initialDelay, min(maxDelay, 3 * previous)] with decorrelated jitter, for any previous delay', () => {
    const previous = fc.oneof(delay, fc.constantFrom(0, 1e300, Number.MAX_VALUE));
    fc.assert(
      fc.property(config, attempts, previous, randomValues, (c, attempt, p, values) => {
        const got = exponentialBackoff({ ...c, jitter: 'decorrelated' })(attempt, p, cycle(values));
        const base = attempt === 1 || p < c.initialDelay ? c.initialDelay : p;
        expect(got).to.be.within(c.initialDelay, Math.ceil(Math.min(c.maxDelay, 3 * base)));
      }),
    );
  });

  it('should use initialDelay as the previous delay of attempt 1 with decorrelated jitter', () => {
    const strategy = exponentialBackoff({ initialDelay: 100, maxDelay: 10_000, jitter: 'decorrelated' });
    expect(strategy(1, 0, () => 0)).to.equal(100);
    expect(strategy(1, 0, () => 0.5)).to.equal(200);
    expect(strategy(1, 5_000, () => JUST_BELOW_ONE)).to.be.closeTo(300, 1e-9);
    expect(strategy(2, 1_000, () => 0.5)).to.equal(1_550);
    expect(strategy(2, 5_000, () => 0.9)).to.equal(10_000);
  });

  it('should grow from initialDelay, not from a shorter previous delay, after attempt 1 with decorrelated jitter', () => {
    const strategy = exponentialBackoff({ initialDelay: 100, maxDelay: 10_000, jitter: 'decorrelated' });
    // A previous wait below initialDelay (a custom schedule, a floor of 0) counts as initialDelay: 100 + 0.5 * (300 - 100).
    expect(strategy(2, 50, () => 0.5)).to.equal(200);
    expect(strategy(3, 0, () => 0.5)).to.equal(200);
  });

  it('should have documented defaults: 1 s, doubling, 30 s, full jitter', () => {
    const strategy = exponentialBackoff();
    const half = schedule(strategy, 8, () => 0.5);
    expect(half).to.deep.equal([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(strategy(1, 0, () => 0)).to.equal(0);
  });

  it('should survive enormous attempt numbers (factor^n overflowing to Infinity)', () => {
    for (const j of ['none', 'full', 'equal', 'decorrelated'] as const) {
      const strategy = exponentialBackoff({ initialDelay: 1, maxDelay: 100, factor: 10, jitter: j });
      const got = strategy(1_000_000, 100, () => 0);
      expect(got, j).to.be.within(0, 100);
    }
    expect(exponentialBackoff({ initialDelay: 0, maxDelay: 0, factor: 10, jitter: 'none' })(5000, 0, noRandom)).to.equal(0);
  });

  describe('options', () => {
    const cases: [string, object, string][] = [
      ['a negative initialDelay', { initialDelay: -1 }, 'initialDelay'],
      ['a NaN initialDelay', { initialDelay: NaN }, 'initialDelay'],
      ['an infinite initialDelay', { initialDelay: Infinity }, 'initialDelay'],
      ['a negative maxDelay', { maxDelay: -10 }, 'maxDelay'],
      ['an infinite maxDelay', { maxDelay: Infinity }, 'maxDelay'],
      ['a NaN maxDelay', { maxDelay: NaN }, 'maxDelay'],
      ['maxDelay below initialDelay', { initialDelay: 500, maxDelay: 100 }, 'maxDelay'],
      ['a factor below 1', { factor: 0.5 }, 'factor'],
      ['a NaN factor', { factor: NaN }, 'factor'],
      ['an infinite factor', { factor: Infinity }, 'factor'],
      ['an unknown jitter', { jitter: 'random' }, 'jitter'],
      ['a string delay', { initialDelay: '100' }, 'initialDelay'],
    ];
    for (const [what, options, name] of cases) {
      it(`should throw InvalidOptionsError at construction for ${what}, naming the option and value`, () => {
        const value = (options as Record<string, unknown>)[name];
        const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
        expect(() => exponentialBackoff(options as never))
          .to.throw(InvalidOptionsError)
          .with.property('message')
          .that.includes(`exponentialBackoff: ${name}`)
          .and.includes(shown);
      });
    }

    it('should accept factor 1 and initialDelay 0', () => {
      expect(schedule(exponentialBackoff({ factor: 1, jitter: 'none' }), 3, noRandom)).to.deep.equal([1000, 1000, 1000]);
      expect(schedule(exponentialBackoff({ initialDelay: 0, jitter: 'none' }), 3, noRandom)).to.deep.equal([0, 0, 0]);
    });

    it('should throw InvalidOptionsError when called with an attempt below 1 or not an integer, or a bad previous delay', () => {
      const strategy = exponentialBackoff();
      for (const attempt of [0, -1, 1.5, NaN, Infinity]) {
        expect(() => strategy(attempt, 0, () => 0.5), String(attempt)).to.throw(InvalidOptionsError, 'attempt');
      }
      for (const previous of [-1, NaN, Infinity]) {
        expect(() => strategy(2, previous, () => 0.5), String(previous)).to.throw(InvalidOptionsError, 'previousDelay');
      }
    });

    it('should throw InvalidOptionsError when the random source breaks its promise', () => {
      const strategy = exponentialBackoff({ jitter: 'full' });
      for (const bad of [-0.1, 1.5, NaN, Infinity]) {
        expect(() => strategy(1, 0, () => bad), String(bad)).to.throw(InvalidOptionsError, 'random source');
      }
    });
  });
});
