import { expect } from 'chai';
import { marbles } from 'rxjs-marbles/mocha';
import { BackoffStrategy } from '../../src/backoff/backoff';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { exponentialBackoff } from '../../src/backoff/exponential-backoff';
import { HandshakeError, InvalidOptionsError } from '../../src/errors';
import { ReconnectAttempt, reconnect } from '../../src/operators/reconnect';
import { MAX_DELAY } from '../../src/time';
import { dropped, randomSequence } from './support';

// Node and browsers run a timer set above 2^31 - 1 ms after 1 ms: every delay
// reconnect schedules is capped at MAX_DELAY, and user-given durations above
// it are refused.
describe('reconnect: delays past the timer limit (marbles)', () => {
  it('should wait MAX_DELAY, not 1 ms, when a server asks for a Retry-After of 3,000,000 s', marbles((m) => {
    const busy = new HandshakeError(503, { 'retry-after': '3000000' });
    const source = m.cold('-#', undefined, busy);
    const told: ReconnectAttempt[] = [];
    const result = source.pipe(
      reconnect({ backoff: constantBackoff(2), maxAttempts: 1, onAttempt: (a) => told.push(a), scheduler: m.scheduler }),
    );
    m.expect(result).toBeObservable(`${MAX_DELAY + 2}ms #`, undefined, busy);
    m.expect(source).toHaveSubscriptions(['^!', `${MAX_DELAY + 1}ms ^!`]);
    m.flush();
    expect(told).to.deep.equal([{ attempt: 1, delay: MAX_DELAY, error: busy }]);
  }));

  it('should wait MAX_DELAY when a Retry-After date lies years ahead', marbles((m) => {
    const busy = new HandshakeError(429, { 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' });
    const source = m.cold('-#', undefined, busy);
    const told: ReconnectAttempt[] = [];
    const result = source.pipe(
      reconnect({ backoff: constantBackoff(2), maxAttempts: 1, onAttempt: (a) => told.push(a), scheduler: m.scheduler }),
    );
    m.expect(result).toBeObservable(`${MAX_DELAY + 2}ms #`, undefined, busy);
    m.flush();
    expect(told.map((a) => a.delay)).to.deep.equal([MAX_DELAY]);
  }));

  it('should wait MAX_DELAY when a custom backoff returns a finite delay above it', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const huge: BackoffStrategy = () => 1e15;
    const told: number[] = [];
    const result = source.pipe(
      reconnect({ backoff: huge, maxAttempts: 1, onAttempt: (a) => told.push(a.delay), scheduler: m.scheduler }),
    );
    m.expect(result).toBeObservable(`${MAX_DELAY + 2}ms #`, undefined, error);
    m.expect(source).toHaveSubscriptions(['^!', `${MAX_DELAY + 1}ms ^!`]);
    m.flush();
    expect(told).to.deep.equal([MAX_DELAY]);
  }));

  it('should grow an exponential backoff up to a maxDelay of MAX_DELAY and no further', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const backoff = exponentialBackoff({ initialDelay: 2 ** 30, maxDelay: MAX_DELAY, factor: 1000, jitter: 'none' });
    const told: number[] = [];
    const result = source.pipe(
      reconnect({ backoff, maxAttempts: 3, onAttempt: (a) => told.push(a.delay), scheduler: m.scheduler, random: randomSequence() }),
    );
    m.expect(result).toBeObservable(`${2 ** 30 + 2 * MAX_DELAY + 4}ms #`, undefined, error);
    m.flush();
    expect(told).to.deep.equal([2 ** 30, MAX_DELAY, MAX_DELAY]);
  }));

  it('should refuse a maxElapsed or resetAfter above MAX_DELAY, and accept Infinity (no limit)', () => {
    expect(() => reconnect({ maxElapsed: MAX_DELAY + 1 })).to.throw(InvalidOptionsError, `reconnect: maxElapsed must be a number of milliseconds, 0 or more and at most ${MAX_DELAY}, or Infinity, got ${MAX_DELAY + 1}`);
    expect(() => reconnect({ resetAfter: 1e12 })).to.throw(InvalidOptionsError, 'reconnect: resetAfter');
    expect(() => reconnect({ maxElapsed: Infinity, resetAfter: Infinity })).not.to.throw();
    expect(() => reconnect({ maxElapsed: MAX_DELAY, resetAfter: MAX_DELAY })).not.to.throw();
  });
});
