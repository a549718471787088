import { expect } from 'chai';
import fc from 'fast-check';
import { stepBackoff } from '../../src/backoff/step-backoff';
import { InvalidOptionsError } from '../../src/errors';
import { delay, noRandom, schedule, within } from './support';

const table = fc.array(delay, { minLength: 1, maxLength: 20 });

describe('stepBackoff', () => {
  it('should stay within [0, the largest entry] in whole milliseconds, without drawing a random number', () => {
    fc.assert(
      fc.property(table, fc.integer({ min: 1, max: 60 }), (t, count) =>
        within(schedule(stepBackoff(t), count, noRandom), 0, Math.max(...t)),
      ),
      { numRuns: 300 },
    );
  });

  it('should read attempt n from table[n - 1], rounded up, and repeat the last entry', () => {
    fc.assert(
      fc.property(table, fc.integer({ min: 1, max: 60 }), (t, count) => {
        const delays = schedule(stepBackoff(t), count, noRandom);
        delays.forEach((d, i) => expect(d).to.equal(Math.ceil(t[Math.min(i, t.length - 1)]!)));
      }),
    );
  });

  it('should follow the Phoenix table', () => {
    const phoenix = stepBackoff([10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000]);
    expect(schedule(phoenix, 12, noRandom)).to.deep.equal([10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000, 5000, 5000]);
  });

  it('should copy the table, so changing the array later changes nothing', () => {
    const t = [1, 2, 3];
    const strategy = stepBackoff(t);
    t[0] = 99;
    t.push(4);
    expect(schedule(strategy, 5, noRandom)).to.deep.equal([1, 2, 3, 3, 3]);
  });

  it('should throw InvalidOptionsError at construction for an empty table', () => {
    expect(() => stepBackoff([])).to.throw(InvalidOptionsError, 'stepBackoff: table must be a non-empty array');
  });

  it('should throw InvalidOptionsError at construction for a table that is not an array', () => {
    expect(() => stepBackoff(undefined as unknown as number[])).to.throw(InvalidOptionsError, 'stepBackoff: table');
  });

  for (const bad of [-1, NaN, Infinity]) {
    it(`should throw InvalidOptionsError at construction for an entry ${bad}, naming its index and value`, () => {
      expect(() => stepBackoff([10, bad])).to.throw(InvalidOptionsError).with.property('message')
        .that.includes('stepBackoff: table[1]').and.includes(String(bad));
    });
  }
});
