import { marbles } from 'rxjs-marbles/mocha';
import { linearBackoff } from '../../src/backoff/linear-backoff';
import { reconnect } from '../../src/operators/reconnect';
import { dropped, randomSequence } from '../reconnect/support';

describe('linearBackoff (marbles)', () => {
  it('should add the increment per attempt up to maxDelay: 2, 5, 7, 7', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!                         ',
      '---^!                      ',
      '---------^!                ',
      '-----------------^!        ',
      '-------------------------^!',
    ];
    const expected =
      '--------------------------#';
    const backoff = linearBackoff({ initialDelay: 2, increment: 3, maxDelay: 7 });
    const result = source.pipe(
      reconnect({ backoff, maxAttempts: 4, scheduler: m.scheduler, random: randomSequence() }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));
});
