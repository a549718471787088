import { expect } from 'chai';
import { marbles } from 'rxjs-marbles/mocha';
import { exponentialBackoff } from '../../src/backoff/exponential-backoff';
import { ReconnectAttempt, reconnect } from '../../src/operators/reconnect';
import { dropped, randomSequence } from '../reconnect/support';

// Each source fails one frame after it is subscribed (`-#`), so the gap
// between two subscriptions is the backoff delay plus that one frame.
describe('exponentialBackoff (marbles)', () => {
  it('should wait 1, 2, 4, 8, 8 with no jitter, capped at maxDelay', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!                            ',
      '--^!                          ',
      '-----^!                       ',
      '----------^!                  ',
      '-------------------^!         ',
      '----------------------------^!',
    ];
    const expected =
      '-----------------------------#';
    const backoff = exponentialBackoff({ initialDelay: 1, maxDelay: 8, factor: 2, jitter: 'none' });
    const result = source.pipe(
      reconnect({ backoff, maxAttempts: 5, scheduler: m.scheduler, random: randomSequence() }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should draw each full-jitter delay in [0, d) from the random source', marbles((m) => {
    // d = 4, 8, 16; random 0.5, 0.25, 0.75 -> delays 2, 2, 12
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!                   ',
      '---^!                ',
      '------^!             ',
      '-------------------^!',
    ];
    const expected =
      '--------------------#';
    const backoff = exponentialBackoff({ initialDelay: 4, maxDelay: 16, jitter: 'full' });
    const result = source.pipe(
      reconnect({ backoff, maxAttempts: 3, scheduler: m.scheduler, random: randomSequence(0.5, 0.25, 0.75) }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should draw each equal-jitter delay in [d/2, d) from the random source', marbles((m) => {
    // d = 4, 8, 16; random 0.5, 0, 0.75 -> delays 3, 4, 14
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!                        ',
      '----^!                    ',
      '---------^!               ',
      '------------------------^!',
    ];
    const expected =
      '-------------------------#';
    const backoff = exponentialBackoff({ initialDelay: 4, maxDelay: 16, jitter: 'equal' });
    const result = source.pipe(
      reconnect({ backoff, maxAttempts: 3, scheduler: m.scheduler, random: randomSequence(0.5, 0, 0.75) }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should draw each decorrelated delay between initialDelay and 3 times the previous one, capped', marbles((m) => {
    // initialDelay 2, maxDelay 8; random 0.5, 0.9, 0, 0.75:
    // 2 + 0.5 * (3*2 - 2) = 4;  2 + 0.9 * (3*4 - 2) = 11 -> 8;  2 + 0 * (3*8 - 2) = 2;  2 + 0.75 * (3*2 - 2) = 5
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const subs = [
      '^!                       ',
      '-----^!                  ',
      '--------------^!         ',
      '-----------------^!      ',
      '-----------------------^!',
    ];
    const expected =
      '------------------------#';
    const backoff = exponentialBackoff({ initialDelay: 2, maxDelay: 8, jitter: 'decorrelated' });
    const result = source.pipe(
      reconnect({ backoff, maxAttempts: 4, scheduler: m.scheduler, random: randomSequence(0.5, 0.9, 0, 0.75) }),
    );
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should be reconnect\'s default backoff: full jitter from 1 s, doubling, up to 30 s', marbles((m) => {
    // random 0.5 each time: 500, 1000, 2000, 4000, 8000, 15000 (0.5 * min(30000, 32000))
    const seen: number[] = [];
    const source = m.cold('#', undefined, dropped());
    const result = source.pipe(
      reconnect({
        maxAttempts: 6,
        scheduler: m.scheduler,
        random: () => 0.5,
        onAttempt: ({ delay }: ReconnectAttempt) => seen.push(delay),
      }),
    );
    m.expect(result).toBeObservable('30500ms #', undefined, dropped());
    m.expect(source).toHaveSubscriptions([
      '(^!)',
      '500ms (^!)',
      '1500ms (^!)',
      '3500ms (^!)',
      '7500ms (^!)',
      '15500ms (^!)',
      '30500ms (^!)',
    ]);
    m.flush();
    expect(seen).to.deep.equal([500, 1000, 2000, 4000, 8000, 15000]);
  }));
});
