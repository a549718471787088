import { expect } from 'chai';
import { marbles } from 'rxjs-marbles/mocha';
import { BackoffStrategy } from '../../src/backoff/backoff';
import { InvalidOptionsError } from '../../src/errors';
import { reconnect } from '../../src/operators/reconnect';
import { dropped, randomSequence } from '../reconnect/support';

describe('a user\'s own backoff function (marbles)', () => {
  it('should be used as a strategy: attempt squared gives 1, 4, 9', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!                 ',
      '--^!               ',
      '-------^!          ',
      '-----------------^!',
    ];
    const expected =
      '------------------#';
    const squared: BackoffStrategy = (attempt) => attempt * attempt;
    const result = source.pipe(reconnect({ backoff: squared, maxAttempts: 3, scheduler: m.scheduler }));
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should be given the attempt, the delay it waited last and the random source', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!               ',
      '---^!            ',
      '--------^!       ',
      '---------------^!',
    ];
    const expected =
      '----------------#';
    const calls: [number, number, number][] = [];
    const growing: BackoffStrategy = (attempt, previousDelay, random) => {
      calls.push([attempt, previousDelay, random()]);
      return previousDelay + 2;
    };
    const result = source.pipe(
      reconnect({ backoff: growing, maxAttempts: 3, scheduler: m.scheduler, random: randomSequence(0.1, 0.2, 0.3) }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
    m.flush();
    expect(calls).to.deep.equal([[1, 0, 0.1], [2, 2, 0.2], [3, 4, 0.3]]);
  }));

  it('should end with an InvalidOptionsError when it returns a negative, NaN or infinite delay', marbles((m) => {
    for (const bad of [-1, NaN, Infinity]) {
      const source = m.cold('-#', undefined, dropped());
      const result = source.pipe(reconnect({ backoff: () => bad, scheduler: m.scheduler }));
      const invalid = new InvalidOptionsError(`reconnect: backoff must return a finite number >= 0, returned ${bad} for attempt 1`);
      m.expect(result).toBeObservable('-#', undefined, invalid);
      m.expect(source).toHaveSubscriptions(['^!']);
    }
  }));
});
