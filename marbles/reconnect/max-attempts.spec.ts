import { expect } from 'chai';
import { defer, throwError } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { reconnect } from '../../src/operators/reconnect';
import { dropped } from './support';

describe('reconnect: maxAttempts', () => {
  it('should make at most maxAttempts attempts, then rethrow', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!      ',
      '---^!   ',
      '------^!',
    ];
    const expected =
      '-------#';
    const result = source.pipe(reconnect({ backoff: constantBackoff(2), maxAttempts: 2, scheduler: m.scheduler }));
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should accept the count alone as a shorthand: reconnect(2)', marbles((m) => {
    // reconnect(2) keeps every default (asyncScheduler, which the TestScheduler runs in virtual time, and
    // Math.random), so count the subscriptions instead of asserting frames.
    const error = dropped();
    let subscriptions = 0;
    let caught: unknown;
    defer(() => {
      subscriptions += 1;
      return throwError(() => error);
    })
      .pipe(reconnect(2))
      .subscribe({ error: (e: unknown) => (caught = e) });
    m.flush();
    expect(subscriptions).to.equal(3);
    expect(caught).to.equal(error);
  }));

  it('should not resubscribe at all with maxAttempts 0', marbles((m) => {
    const error = dropped();
    const source = m.cold('--a-#', undefined, error);
    const subs = '^---!';
    const expected = '--a-#';
    m.expect(source.pipe(reconnect({ maxAttempts: 0, scheduler: m.scheduler }))).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should count attempts per outage: a connection that stays up earns a fresh count', marbles((m) => {
    // Each connection emits at once and fails 5 frames later; with resetAfter 5 every failure starts a new
    // outage, so maxAttempts 1 never runs out.
    const error = dropped();
    const source = m.cold('a----#', undefined, error);
    const subs = [
      '^----!                 ',
      '-------^----!          ',
      '--------------^---!    ',
    ];
    const expected =
      'a------a------a---     ';
    const result = source.pipe(
      reconnect({ backoff: constantBackoff(2), maxAttempts: 1, resetAfter: 5, scheduler: m.scheduler }),
    );
    m.expect(result, '^-----------------!').toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));
});
