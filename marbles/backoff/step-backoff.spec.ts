import { marbles } from 'rxjs-marbles/mocha';
import { stepBackoff } from '../../src/backoff/step-backoff';
import { reconnect } from '../../src/operators/reconnect';
import { dropped, randomSequence } from '../reconnect/support';

describe('stepBackoff (marbles)', () => {
  it('should read the delays from the table and repeat the last one: 1, 3, 5, 5, 5', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!                        ',
      '--^!                      ',
      '------^!                  ',
      '------------^!            ',
      '------------------^!      ',
      '------------------------^!',
    ];
    const expected =
      '-------------------------#';
    const result = source.pipe(
      reconnect({ backoff: stepBackoff([1, 3, 5]), maxAttempts: 5, scheduler: m.scheduler, random: randomSequence() }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should follow the Phoenix table, then 5 s for every later attempt', marbles((m) => {
    // The source fails as soon as it is subscribed, so each subscription
    // starts when the previous wait ends: the running sum of the table.
    const error = dropped();
    const source = m.cold('#', undefined, error);
    const phoenix = stepBackoff([10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000]);
    const result = source.pipe(
      reconnect({ backoff: phoenix, maxAttempts: 11, scheduler: m.scheduler, random: randomSequence() }),
    );
    m.expect(result).toBeObservable('14260ms #', undefined, error);
    m.expect(source).toHaveSubscriptions([
      '(^!)',
      '10ms (^!)',
      '60ms (^!)',
      '160ms (^!)',
      '310ms (^!)',
      '510ms (^!)',
      '760ms (^!)',
      '1260ms (^!)',
      '2260ms (^!)',
      '4260ms (^!)',
      '9260ms (^!)',
      '14260ms (^!)',
    ]);
  }));
});
