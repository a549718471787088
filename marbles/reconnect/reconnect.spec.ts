import { expect } from 'chai';
import { concat } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { InvalidOptionsError } from '../../src/errors';
import { reconnect } from '../../src/operators/reconnect';
import { dropped } from './support';

describe('reconnect', () => {
  it('should mirror a source that never emits', marbles((m) => {
    const source = m.cold('-');
    const subs = '^';
    const expected = '-';
    m.expect(source.pipe(reconnect({ scheduler: m.scheduler }))).toBeObservable(expected);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should complete with an empty source, without resubscribing', marbles((m) => {
    const source = m.cold('|');
    const subs = '(^!)';
    const expected = '|';
    m.expect(source.pipe(reconnect({ scheduler: m.scheduler }))).toBeObservable(expected);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should pass values and completion through unchanged', marbles((m) => {
    const source = m.cold('-a-b-|');
    const subs = '^----!';
    const expected = '-a-b-|';
    m.expect(source.pipe(reconnect({ scheduler: m.scheduler }))).toBeObservable(expected);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should resubscribe after each error, and rethrow the last one when it gives up', marbles((m) => {
    const error = dropped();
    const source = m.cold('--a--#', undefined, error);
    const subs = [
      '^----!                ',
      '--------^----!        ',
      '----------------^----!',
    ];
    const expected =
      '--a-------a-------a--#';
    const result = source.pipe(reconnect({ backoff: constantBackoff(3), maxAttempts: 2, scheduler: m.scheduler }));
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should rethrow the very error object it was given, not a copy or a wrapper', marbles((m) => {
    const error = dropped('the last one');
    let caught: unknown;
    m.cold('-#', undefined, error)
      .pipe(reconnect({ backoff: constantBackoff(1), maxAttempts: 2, scheduler: m.scheduler }))
      .subscribe({ error: (e: unknown) => (caught = e) });
    m.flush();
    expect(caught).to.equal(error);
  }));

  it('should end with the error a backoff function throws', marbles((m) => {
    const boom = new Error('backoff bug');
    const source = m.cold('-#', undefined, dropped());
    const result = source.pipe(
      reconnect({
        backoff: () => {
          throw boom;
        },
        scheduler: m.scheduler,
      }),
    );
    m.expect(result).toBeObservable('-#', undefined, boom);
    m.expect(source).toHaveSubscriptions('^!');
  }));

  it('should end with the error a shouldReconnect function throws', marbles((m) => {
    const boom = new Error('policy bug');
    const source = m.cold('-#', undefined, dropped());
    const result = source.pipe(
      reconnect({
        shouldReconnect: () => {
          throw boom;
        },
        scheduler: m.scheduler,
      }),
    );
    m.expect(result).toBeObservable('-#', undefined, boom);
    m.expect(source).toHaveSubscriptions('^!');
  }));

  it('should end with the error an onAttempt callback throws, before waiting', marbles((m) => {
    const boom = new Error('UI bug');
    const source = m.cold('-#', undefined, dropped());
    const result = source.pipe(
      reconnect({
        backoff: constantBackoff(5),
        onAttempt: () => {
          throw boom;
        },
        scheduler: m.scheduler,
      }),
    );
    m.expect(result).toBeObservable('-#', undefined, boom);
    m.expect(source).toHaveSubscriptions('^!');
  }));

  it('should end with an InvalidOptionsError when shouldReconnect returns something other than a boolean', marbles((m) => {
    const source = m.cold('-#', undefined, dropped());
    const result = source.pipe(
      reconnect({ shouldReconnect: (() => undefined) as unknown as () => boolean, scheduler: m.scheduler }),
    );
    const invalid = new InvalidOptionsError('reconnect: shouldReconnect must return true or false, returned undefined');
    m.expect(result).toBeObservable('-#', undefined, invalid);
    m.expect(source).toHaveSubscriptions('^!');
  }));

  it('should keep separate attempt counts for separate subscribers', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const result = source.pipe(reconnect({ backoff: constantBackoff(2), maxAttempts: 1, scheduler: m.scheduler }));
    const later = concat(m.cold('---|'), result); // a second subscriber, from frame 3
    m.expect(result).toBeObservable('----#   ', undefined, error);
    m.expect(later).toBeObservable('-------#', undefined, error);
  }));
});
