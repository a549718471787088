import { expect } from 'chai';
import fc from 'fast-check';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { InvalidOptionsError } from '../../src/errors';
import { delay, noRandom, schedule } from './support';

describe('constantBackoff', () => {
  it('should return the same whole, non-negative delay (rounded up) for every attempt, without drawing a random number', () => {
    fc.assert(
      fc.property(delay, fc.integer({ min: 1, max: 100 }), (d, count) => {
        const delays = schedule(constantBackoff(d), count, noRandom);
        expect(delays).to.deep.equal(new Array<number>(count).fill(Math.ceil(d)));
        expect(delays.every((x) => Number.isFinite(x) && x >= 0)).to.equal(true);
      }),
    );
  });

  for (const bad of [-1, NaN, Infinity, -Infinity]) {
    it(`should throw InvalidOptionsError at construction for delay ${bad}, naming the option and value`, () => {
      expect(() => constantBackoff(bad)).to.throw(InvalidOptionsError).with.property('message')
        .that.includes('constantBackoff: delay').and.includes(String(bad));
    });
  }

  it('should accept a delay of 0', () => {
    expect(constantBackoff(0)(7, 0, noRandom)).to.equal(0);
  });
});
