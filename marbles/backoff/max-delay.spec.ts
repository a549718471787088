import { expect } from 'chai';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { exponentialBackoff } from '../../src/backoff/exponential-backoff';
import { linearBackoff } from '../../src/backoff/linear-backoff';
import { seededRandom } from '../../src/backoff/seeded-random';
import { stepBackoff } from '../../src/backoff/step-backoff';
import { InvalidOptionsError } from '../../src/errors';
import { reconnect } from '../../src/operators/reconnect';
import { MAX_DELAY } from '../../src/time';
import { dropped } from '../reconnect/support';

// Every strategy's delay is at most MAX_DELAY (2^31 - 1 ms): a longer timer
// would fire after 1 ms. Their options are checked against it at construction.
describe('backoff strategies: the MAX_DELAY cap (marbles)', () => {
  it('should refuse a delay option above MAX_DELAY in every strategy, naming it', () => {
    const above = MAX_DELAY + 1;
    expect(() => constantBackoff(above)).to.throw(InvalidOptionsError, 'constantBackoff: delay');
    expect(() => stepBackoff([10, above])).to.throw(InvalidOptionsError, 'stepBackoff: table[1]');
    expect(() => linearBackoff({ maxDelay: above })).to.throw(InvalidOptionsError, 'linearBackoff: maxDelay');
    expect(() => linearBackoff({ increment: above })).to.throw(InvalidOptionsError, 'linearBackoff: increment');
    expect(() => exponentialBackoff({ maxDelay: above })).to.throw(InvalidOptionsError, `exponentialBackoff: maxDelay must be a number of milliseconds, 0 or more and at most ${MAX_DELAY}, got ${above}`);
    expect(() => exponentialBackoff({ initialDelay: above, maxDelay: above })).to.throw(InvalidOptionsError, 'exponentialBackoff: initialDelay');
  });

  it('should accept MAX_DELAY itself in every strategy', () => {
    expect(constantBackoff(MAX_DELAY)(1, 0, Math.random)).to.equal(MAX_DELAY);
    expect(stepBackoff([MAX_DELAY])(3, 0, Math.random)).to.equal(MAX_DELAY);
    expect(linearBackoff({ initialDelay: MAX_DELAY, maxDelay: MAX_DELAY })(9, 0, Math.random)).to.equal(MAX_DELAY);
  });

  it('should keep every jitter mode at or below MAX_DELAY, even after a huge previous delay', () => {
    const random = seededRandom(7);
    for (const jitter of ['none', 'full', 'equal', 'decorrelated'] as const) {
      const strategy = exponentialBackoff({ initialDelay: 1000, maxDelay: MAX_DELAY, factor: 1e6, jitter });
      for (let attempt = 1; attempt <= 50; attempt++) {
        const delay = strategy(attempt, attempt === 1 ? 0 : MAX_DELAY, random);
        expect(delay, `${jitter} attempt ${attempt}`).to.be.within(0, MAX_DELAY);
      }
    }
  });

  it('should make a linear backoff with a huge increment wait MAX_DELAY between attempts in virtual time', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const backoff = linearBackoff({ initialDelay: 1, increment: MAX_DELAY, maxDelay: MAX_DELAY });
    const told: number[] = [];
    const result = source.pipe(reconnect({ backoff, maxAttempts: 2, onAttempt: (a) => told.push(a.delay), scheduler: m.scheduler }));
    m.expect(result).toBeObservable(`${1 + MAX_DELAY + 3}ms #`, undefined, error);
    m.expect(source).toHaveSubscriptions(['^!', '2ms ^!', `${MAX_DELAY + 3}ms ^!`]);
    m.flush();
    expect(told).to.deep.equal([1, MAX_DELAY]);
  }));
});
