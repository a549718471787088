import { expect } from 'chai';
import { defer } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { ConnectionClosedError } from '../../src/errors';
import { reconnect } from '../../src/operators/reconnect';
import { dropped } from './support';

describe('reconnect: shouldReconnect and policy', () => {
  it('should ask shouldReconnect with the error and the attempt number, and stop when it says no', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!      ',
      '---^!   ',
      '------^!',
    ];
    const expected =
      '-------#';
    const asked: [unknown, number][] = [];
    const result = source.pipe(
      reconnect({
        backoff: constantBackoff(2),
        shouldReconnect: (e, attempt) => {
          asked.push([e, attempt]);
          return attempt <= 2;
        },
        scheduler: m.scheduler,
      }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
    m.flush();
    expect(asked).to.deep.equal([[error, 1], [error, 2], [error, 3]]);
  }));

  it('should end at once, without resubscribing, when shouldReconnect says no to the first error', marbles((m) => {
    const error = dropped();
    const source = m.cold('-a-#', undefined, error);
    const subs = '^--!';
    const expected = '-a-#';
    const result = source.pipe(reconnect({ shouldReconnect: () => false, scheduler: m.scheduler }));
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should decide on each error as it comes: retry a drop, then stop on an application code', marbles((m) => {
    const drop = dropped();
    const banned = new ConnectionClosedError(4003, 'banned', true);
    const connections = [m.cold('-#', undefined, drop), m.cold('-#', undefined, banned)];
    let n = 0;
    const source = defer(() => connections[n++]!);
    const result = source.pipe(reconnect({ backoff: constantBackoff(2), scheduler: m.scheduler }));
    m.expect(result).toBeObservable('----#', undefined, banned);
    m.expect(connections[0]!).toHaveSubscriptions('^!   ');
    m.expect(connections[1]!).toHaveSubscriptions('---^!');
  }));

  it('should follow a policy config: retry the application code 4429 that the default policy stops on', marbles((m) => {
    const limited = new ConnectionClosedError(4429, 'rate limited', true);
    const overridden = m.cold('-#', undefined, limited);
    const byDefault = m.cold('-#', undefined, limited);
    const config = { backoff: constantBackoff(2), maxAttempts: 1, scheduler: m.scheduler };
    m.expect(overridden.pipe(reconnect({ ...config, policy: { codes: { 4429: 'retry' } } })))
      .toBeObservable('----#', undefined, limited);
    m.expect(byDefault.pipe(reconnect(config))).toBeObservable('-#', undefined, limited);
    m.expect(overridden).toHaveSubscriptions(['^!   ', '---^!']);
    m.expect(byDefault).toHaveSubscriptions(['^!']);
  }));

  it('should follow a policy function: stop on a drop it calls fatal', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const result = source.pipe(reconnect({ policy: () => 'stop' as const, scheduler: m.scheduler }));
    m.expect(result).toBeObservable('-#', undefined, error);
    m.expect(source).toHaveSubscriptions('^!');
  }));
});
