import { expect } from 'chai';
import { defer } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { BackoffStrategy } from '../../src/backoff/backoff';
import { exponentialBackoff } from '../../src/backoff/exponential-backoff';
import { reconnect } from '../../src/operators/reconnect';
import { dropped } from './support';

// Delays 2, 4, 8, ... (no jitter), so the attempt number shows in the gaps.
const doubling = exponentialBackoff({ initialDelay: 2, maxDelay: 1000, factor: 2, jitter: 'none' });

describe('reconnect: resetAfter', () => {
  it('should keep growing the delays of a connection that flaps (fails sooner than resetAfter after its first value)', marbles((m) => {
    const error = dropped();
    const source = m.cold('-a-#', undefined, error);
    const subs = [
      '^--!                       ',
      '-----^--!                  ',
      '------------^--!           ',
      '-----------------------^--!',
    ];
    const expected =
      '-a----a------a----------a-#';
    const result = source.pipe(
      reconnect({ backoff: doubling, maxAttempts: 3, resetAfter: 5, scheduler: m.scheduler }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should start again from attempt 1 after a connection that stayed up resetAfter', marbles((m) => {
    // Each connection lives 6 frames after its first value: every failure is a new outage, so the delay
    // stays at 2 and maxAttempts 1 never runs out.
    const error = dropped();
    const source = m.cold('-a-----#', undefined, error);
    const subs = [
      '^------!                      ',
      '---------^------!             ',
      '------------------^------!    ',
      '---------------------------^--!',
    ];
    const unsub =
      '^-----------------------------!';
    const expected =
      '-a--------a--------a--------a--';
    const result = source.pipe(
      reconnect({ backoff: doubling, maxAttempts: 1, resetAfter: 5, scheduler: m.scheduler }),
    );
    m.expect(result, unsub).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should reset when the connection lived exactly resetAfter, and not one frame less', marbles((m) => {
    // 1: fails at once (attempt 1, wait 2); 2: lives 5 after its value (reset: attempt 1, wait 2);
    // 3: lives 4 after its value (attempt 2, wait 4); 4: fails at once (attempt 3 > maxAttempts 2).
    const error = dropped();
    const connections = [
      m.cold('-#     ', undefined, error),
      m.cold('-a----#', undefined, error),
      m.cold('-a---# ', undefined, error),
      m.cold('-#     ', undefined, error),
    ];
    let n = 0;
    const source = defer(() => connections[n++]!);
    const expected =
      '----a-------a--------#';
    const result = source.pipe(
      reconnect({ backoff: doubling, maxAttempts: 2, resetAfter: 5, scheduler: m.scheduler }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(connections[0]!).toHaveSubscriptions(
      '^!                    ');
    m.expect(connections[1]!).toHaveSubscriptions(
      '---^-----!            ');
    m.expect(connections[2]!).toHaveSubscriptions(
      '-----------^----!     ');
    m.expect(connections[3]!).toHaveSubscriptions(
      '--------------------^!');
  }));

  it('should measure from the first value, not from the subscription', marbles((m) => {
    // Subscribed for 6 frames, but only 2 after its first value (a slow open): still a flap.
    const error = dropped();
    const source = m.cold('----a-#', undefined, error);
    const subs = [
      '^-----!                ',
      '--------^-----!        ',
    ];
    const expected =
      '----a-------a-#        ';
    const result = source.pipe(
      reconnect({ backoff: doubling, maxAttempts: 1, resetAfter: 5, scheduler: m.scheduler }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should reset on the first value with resetAfter 0, but not after a failure with no value', marbles((m) => {
    const error = dropped();
    const flapping = m.cold('-a#', undefined, error);
    const silent = m.cold('-#', undefined, error);
    const config = { backoff: doubling, maxAttempts: 1, resetAfter: 0, scheduler: m.scheduler };
    m.expect(flapping.pipe(reconnect(config)), '^-----------!').toBeObservable(
      '-a---a---a--', undefined, error);
    m.expect(flapping).toHaveSubscriptions([
      '^-!         ',
      '----^-!     ',
      '--------^-! ',
    ]);
    m.expect(silent.pipe(reconnect(config))).toBeObservable(
      '----#       ', undefined, error);
  }));

  it('should also reset the previous delay given to the backoff and the maxElapsed budget', marbles((m) => {
    const error = dropped();
    const connections = [
      m.cold('-#      ', undefined, error),
      m.cold('-#      ', undefined, error),
      m.cold('a-----# ', undefined, error),
      m.cold('-#      ', undefined, error),
      m.cold('-#      ', undefined, error),
    ];
    let n = 0;
    const source = defer(() => connections[n++]!);
    const calls: [number, number][] = [];
    const adding: BackoffStrategy = (attempt, previousDelay) => {
      calls.push([attempt, previousDelay]);
      return previousDelay + 3;
    };
    const result = source.pipe(
      reconnect({ backoff: adding, maxAttempts: 2, maxElapsed: 10, resetAfter: 5, scheduler: m.scheduler }),
    );
    // fails at 1 (wait 3), 5 (wait 6), 17 after living 6 (reset: wait 3), 21 (wait 6), 28 (attempt 3: give up).
    // The attempt at 27 is 10 after the outage that began at 17: within maxElapsed 10 only because of the reset.
    m.expect(result).toBeObservable(
      '-----------a----------------#', undefined, error);
    m.expect(connections[4]!).toHaveSubscriptions(
      '---------------------------^!');
    m.flush();
    expect(calls).to.deep.equal([[1, 0], [2, 3], [1, 0], [2, 3]]);
  }));
});
