import { expect } from 'chai';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { ReconnectAttempt, reconnect } from '../../src/operators/reconnect';
import { dropped } from './support';

describe('reconnect: unsubscribing', () => {
  it('should cancel the pending attempt when unsubscribed during a backoff wait', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs =
      '^!         ';
    const unsub =
      '^--!       ';
    const expected =
      '----       ';
    const told: ReconnectAttempt[] = [];
    const result = source.pipe(
      reconnect({ backoff: constantBackoff(5), onAttempt: (a) => told.push(a), scheduler: m.scheduler }),
    );
    m.expect(result, unsub).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
    // Nothing happens at frame 6, when the cancelled wait would have ended.
    m.flush();
    expect(told).to.have.length(1);
  }));

  it('should unsubscribe from a live resubscription', marbles((m) => {
    const error = dropped();
    const source = m.cold('--#', undefined, error);
    const subs = [
      '^-!      ',
      '-------^!',
    ];
    const unsub =
      '^-------!';
    const expected =
      '---------';
    const result = source.pipe(reconnect({ backoff: constantBackoff(5), scheduler: m.scheduler }));
    m.expect(result, unsub).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));
});
