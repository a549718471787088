import { defer } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { reconnect } from '../../src/operators/reconnect';
import { dropped } from './support';

// maxElapsed is measured from the first failure of an outage; an attempt is
// made only if it starts within the budget (now + delay - outageStart <= maxElapsed),
// otherwise reconnect gives up at once, at the failure.
describe('reconnect: maxElapsed', () => {
  it('should give up at the failure whose next attempt would start after the budget', marbles((m) => {
    // outage starts at 1; attempts would start at 5, 10, 15: 15 - 1 = 14 > 10
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!          ',
      '-----^!     ',
      '----------^!',
    ];
    const expected =
      '-----------#';
    const result = source.pipe(reconnect({ backoff: constantBackoff(4), maxElapsed: 10, scheduler: m.scheduler }));
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should still make an attempt that starts exactly at the end of the budget', marbles((m) => {
    // outage starts at 1; the attempt at 10 is 9 after it: allowed with maxElapsed 9, not with 8
    const error = dropped();
    const within = m.cold('-#', undefined, error);
    const beyond = m.cold('-#', undefined, error);
    const config = { backoff: constantBackoff(4), scheduler: m.scheduler };
    m.expect(within.pipe(reconnect({ ...config, maxElapsed: 9 }))).toBeObservable('-----------#', undefined, error);
    m.expect(beyond.pipe(reconnect({ ...config, maxElapsed: 8 }))).toBeObservable('------#     ', undefined, error);
    m.expect(within).toHaveSubscriptions(['^!          ', '-----^!     ', '----------^!']);
    m.expect(beyond).toHaveSubscriptions(['^!          ', '-----^!     ']);
  }));

  it('should count the budget from the first failure, not from the subscription', marbles((m) => {
    // fails at 5: the attempt at 9 is 4 after the failure (within 5); the next, at 18, is 13 after it
    const error = dropped();
    const source = m.cold('-----#', undefined, error);
    const subs = [
      '^----!         ',
      '---------^----!',
    ];
    const expected =
      '--------------#';
    const result = source.pipe(reconnect({ backoff: constantBackoff(4), maxElapsed: 5, scheduler: m.scheduler }));
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should allow only attempts in the instant of the first failure with maxElapsed 0', marbles((m) => {
    // a delay of 0 starts the attempt at the failure (0 after it); its failure, one frame later, is beyond
    const error = dropped();
    const waiting = m.cold('-#', undefined, error);
    const immediate = m.cold('-#', undefined, error);
    m.expect(waiting.pipe(reconnect({ backoff: constantBackoff(1), maxElapsed: 0, scheduler: m.scheduler })))
      .toBeObservable('-#', undefined, error);
    m.expect(immediate.pipe(reconnect({ backoff: constantBackoff(0), maxElapsed: 0, scheduler: m.scheduler })))
      .toBeObservable('--#', undefined, error);
    m.expect(waiting).toHaveSubscriptions('^!');
    m.expect(immediate).toHaveSubscriptions(['^! ', '-^!']);
  }));

  it('should start a fresh budget when a connection stayed up resetAfter', marbles((m) => {
    // resetAfter 3: connections 1 and 3 live 4 frames after their first value, so each of their failures
    // starts a new outage (at 4, then at 13). With one budget from 4, the failure at 13 would give up.
    const error = dropped();
    const connections = [
      m.cold('a---#', undefined, error),
      m.cold('-#   ', undefined, error),
      m.cold('a---#', undefined, error),
      m.cold('-#   ', undefined, error),
      m.cold('-#   ', undefined, error),
    ];
    let n = 0;
    const source = defer(() => connections[n++]!);
    const expected =
      'a--------a---------#';
    const result = source.pipe(
      reconnect({ backoff: constantBackoff(2), maxElapsed: 6, resetAfter: 3, scheduler: m.scheduler }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(connections[0]!).toHaveSubscriptions(
      '^---!               ');
    m.expect(connections[1]!).toHaveSubscriptions(
      '------^!            ');
    m.expect(connections[2]!).toHaveSubscriptions(
      '---------^---!      ');
    m.expect(connections[3]!).toHaveSubscriptions(
      '---------------^!   ');
    m.expect(connections[4]!).toHaveSubscriptions(
      '------------------^!');
  }));
});
