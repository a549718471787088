import { expect } from 'chai';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { InvalidOptionsError } from '../../src/errors';
import { reconnect } from '../../src/operators/reconnect';
import { dropped } from './support';

describe('reconnect: retryOn', () => {
  it('should end a pending wait when retryOn emits, and resubscribe at once', marbles((m) => {
    const error = dropped();
    const source = m.cold('a-#', undefined, error);
    const retryOn = m.hot('-----r--------------');
    const subs = [
      '^-!                 ',
      '-----^-!            ',
      '-----------------^-!',
    ];
    const expected =
      'a----a-----------a-#';
    const result = source.pipe(reconnect({ backoff: constantBackoff(10), retryOn, maxAttempts: 2, scheduler: m.scheduler }));
    m.expect(result).toBeObservable(expected, { a: 'a' }, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should ignore retryOn while the source is subscribed (connected or connecting)', marbles((m) => {
    const error = dropped();
    const source = m.cold('a---#', undefined, error);
    const retryOn = m.hot('-rr----------');
    const subs = [
      '^---!        ',
      '--------^---!',
    ];
    const result = source.pipe(reconnect({ backoff: constantBackoff(4), retryOn, maxAttempts: 1, scheduler: m.scheduler }));
    m.expect(result).toBeObservable('a-------a---#', { a: 'a' }, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should unsubscribe from retryOn when the wait ends by its own timer', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const retryOn = m.hot('-------');
    const result = source.pipe(reconnect({ backoff: constantBackoff(3), retryOn, maxAttempts: 1, scheduler: m.scheduler }));
    m.expect(result).toBeObservable('-----#', undefined, error);
    m.expect(retryOn).toHaveSubscriptions('-^--!');
  }));

  it('should end the result with an error of retryOn', marbles((m) => {
    const error = dropped();
    const boom = new Error('trigger failed');
    const source = m.cold('-#', undefined, error);
    const retryOn = m.hot('---#', undefined, boom);
    const result = source.pipe(reconnect({ backoff: constantBackoff(10), retryOn, maxAttempts: 1, scheduler: m.scheduler }));
    m.expect(result).toBeObservable('---#', undefined, boom);
  }));

  it('should keep counting attempts (and their backoff) when retryOn cuts a wait short', () => {
    const scheduler = new VirtualTimeScheduler();
    const trigger = new Subject<void>();
    const delays: number[] = [];
    const failing = new Subject<never>();
    failing.error(dropped()); // every subscription fails at once
    const sub = failing
      .pipe(reconnect({ backoff: (attempt) => attempt * 100, retryOn: trigger, onAttempt: ({ delay }) => delays.push(delay), scheduler }))
      .subscribe({ error: () => undefined });
    expect(delays).to.deep.equal([100]);
    // The first wait is cut short: attempt 2 fails at once and waits 200, its own backoff.
    trigger.next();
    expect(delays).to.deep.equal([100, 200]);
    expect(scheduler.now()).to.equal(0);
    sub.unsubscribe();
  });

  it('should refuse a retryOn that is not an Observable', () => {
    expect(() => reconnect({ retryOn: 5 as never })).to.throw(InvalidOptionsError, /retryOn must be an Observable/);
  });
});
