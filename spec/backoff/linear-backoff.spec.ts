import { expect } from 'chai';
import fc from 'fast-check';
import { linearBackoff } from '../../src/backoff/linear-backoff';
import { InvalidOptionsError } from '../../src/errors';
import { delay, noRandom, schedule, within } from './support';

const config = fc
  .tuple(delay, delay, delay)
  .map(([a, b, increment]) => ({ initialDelay: Math.min(a, b), maxDelay: Math.max(a, b), increment }));
const attempts = fc.integer({ min: 1, max: 200 });

describe('linearBackoff', () => {
  it('should stay within [0, maxDelay] in whole milliseconds, without drawing a random number', () => {
    fc.assert(
      fc.property(config, attempts, (c, count) => within(schedule(linearBackoff(c), count, noRandom), 0, c.maxDelay)),
      { numRuns: 300 },
    );
  });

  it('should follow min(maxDelay, initialDelay + (n-1) * increment), rounded up, and never shrink', () => {
    fc.assert(
      fc.property(config, attempts, (c, count) => {
        const delays = schedule(linearBackoff(c), count, noRandom);
        delays.forEach((d, i) => {
          expect(d).to.equal(Math.ceil(Math.min(c.maxDelay, c.initialDelay + i * c.increment)));
          if (i > 0) expect(d).to.be.at.least(delays[i - 1]!);
        });
        expect(schedule(linearBackoff(c), count, noRandom)).to.deep.equal(delays);
      }),
    );
  });

  it('should have documented defaults: 1 s, +1 s, up to 30 s', () => {
    const delays = schedule(linearBackoff(), 32, noRandom);
    expect(delays.slice(0, 3)).to.deep.equal([1000, 2000, 3000]);
    expect(delays[29]).to.equal(30000);
    expect(delays[31]).to.equal(30000);
  });

  const cases: [string, object, string, string][] = [
    ['a negative initialDelay', { initialDelay: -1 }, 'initialDelay', '-1'],
    ['a NaN increment', { increment: NaN }, 'increment', 'NaN'],
    ['a negative increment', { increment: -5 }, 'increment', '-5'],
    ['an infinite maxDelay', { maxDelay: Infinity }, 'maxDelay', 'Infinity'],
    ['maxDelay below initialDelay', { initialDelay: 10, maxDelay: 5 }, 'maxDelay', '5'],
  ];
  for (const [what, options, name, shown] of cases) {
    it(`should throw InvalidOptionsError at construction for ${what}, naming the option and value`, () => {
      expect(() => linearBackoff(options)).to.throw(InvalidOptionsError).with.property('message')
        .that.includes(`linearBackoff: ${name}`).and.includes(shown);
    });
  }
});
