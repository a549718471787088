import { expect } from 'chai';
import { defer, throwError } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { reconnect } from '../../src/operators/reconnect';
import { dropped, randomSequence } from '../reconnect/support';

describe('constantBackoff (marbles)', () => {
  it('should wait the same delay before every attempt', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!            ',
      '----^!        ',
      '--------^!    ',
      '------------^!',
    ];
    const expected =
      '-------------#';
    const result = source.pipe(
      reconnect({ backoff: constantBackoff(3), maxAttempts: 3, scheduler: m.scheduler, random: randomSequence() }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should resubscribe in the same frame with a delay of 0', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!   ',
      '-^!  ',
      '--^! ',
      '---^!',
    ];
    const expected =
      '----#';
    const result = source.pipe(reconnect({ backoff: constantBackoff(0), maxAttempts: 3, scheduler: m.scheduler }));
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should resubscribe synchronously, not on a scheduler tick, with a delay of 0', marbles((m) => {
    // Virtual time cannot tell "now" from "a timer of 0 ms", so count the
    // subscriptions before the scheduler runs any action at all.
    const error = dropped();
    let subscriptions = 0;
    const source = defer(() => {
      subscriptions += 1;
      return throwError(() => error);
    });
    let caught: unknown;
    source
      .pipe(reconnect({ backoff: constantBackoff(0), maxAttempts: 3, scheduler: m.scheduler }))
      .subscribe({ error: (e: unknown) => (caught = e) });
    expect(subscriptions).to.equal(4);
    expect(caught).to.equal(error);
  }));
});
