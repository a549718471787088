import { expect } from 'chai';
import { marbles } from 'rxjs-marbles/mocha';
import { BackoffStrategy } from '../../src/backoff/backoff';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { exponentialBackoff } from '../../src/backoff/exponential-backoff';
import { HandshakeError } from '../../src/errors';
import { ReconnectAttempt, reconnect } from '../../src/operators/reconnect';

// A server's Retry-After (on a 429 or 503 handshake) sets the least delay of
// that attempt: delay = max(backoff, retryAfter). It wins over the backoff's
// maxDelay, but not over maxElapsed.
describe('reconnect: Retry-After', () => {
  it('should wait at least the seconds the server asked for', marbles((m) => {
    const busy = new HandshakeError(503, { 'retry-after': '1' });
    const source = m.cold('-#', undefined, busy);
    const told: ReconnectAttempt[] = [];
    const result = source.pipe(
      reconnect({ backoff: constantBackoff(2), maxAttempts: 1, onAttempt: (a) => told.push(a), scheduler: m.scheduler }),
    );
    m.expect(result).toBeObservable('1002ms #', undefined, busy);
    m.expect(source).toHaveSubscriptions(['^!', '1001ms ^!']);
    m.flush();
    expect(told).to.deep.equal([{ attempt: 1, delay: 1000, error: busy }]);
  }));

  it('should wait until the HTTP date the server gave, measured on the scheduler\'s clock', marbles((m) => {
    // The virtual clock starts at 0 = 1970-01-01T00:00:00Z, so this date is 2000 ms away; the failure is at 1.
    const limited = new HandshakeError(429, { 'retry-after': 'Thu, 01 Jan 1970 00:00:02 GMT' });
    const source = m.cold('-#', undefined, limited);
    const result = source.pipe(reconnect({ backoff: constantBackoff(2), maxAttempts: 1, scheduler: m.scheduler }));
    m.expect(result).toBeObservable('2001ms #', undefined, limited);
    m.expect(source).toHaveSubscriptions(['^!', '2000ms ^!']);
  }));

  it('should keep the backoff delay when it is longer than the hint', marbles((m) => {
    const busy = new HandshakeError(503, { 'retry-after': '0' });
    const source = m.cold('-#', undefined, busy);
    const result = source.pipe(reconnect({ backoff: constantBackoff(2), maxAttempts: 1, scheduler: m.scheduler }));
    m.expect(result).toBeObservable('----#', undefined, busy);
    m.expect(source).toHaveSubscriptions(['^!   ', '---^!']);
  }));

  it('should let the hint win over the backoff\'s maxDelay', marbles((m) => {
    const busy = new HandshakeError(503, { 'retry-after': '1' });
    const source = m.cold('-#', undefined, busy);
    const capped = exponentialBackoff({ initialDelay: 2, maxDelay: 4, jitter: 'none' });
    const result = source.pipe(reconnect({ backoff: capped, maxAttempts: 1, scheduler: m.scheduler }));
    m.expect(result).toBeObservable('1002ms #', undefined, busy);
    m.expect(source).toHaveSubscriptions(['^!', '1001ms ^!']);
  }));

  it('should give up at once when the hint ends beyond maxElapsed', marbles((m) => {
    const busy = new HandshakeError(503, { 'retry-after': '1' });
    const source = m.cold('-#', undefined, busy);
    const result = source.pipe(reconnect({ backoff: constantBackoff(2), maxElapsed: 999, scheduler: m.scheduler }));
    m.expect(result).toBeObservable('-#', undefined, busy);
    m.expect(source).toHaveSubscriptions(['^!']);
  }));

  it('should ignore the hint with respectRetryAfter: false', marbles((m) => {
    const busy = new HandshakeError(503, { 'retry-after': '1' });
    const source = m.cold('-#', undefined, busy);
    const result = source.pipe(
      reconnect({ backoff: constantBackoff(2), maxAttempts: 1, respectRetryAfter: false, scheduler: m.scheduler }),
    );
    m.expect(result).toBeObservable('----#', undefined, busy);
    m.expect(source).toHaveSubscriptions(['^!   ', '---^!']);
  }));

  it('should hand the delay it waited (the hint) to the backoff as the previous delay', marbles((m) => {
    const busy = new HandshakeError(503, { 'retry-after': '1' });
    const source = m.cold('-#', undefined, busy);
    const calls: [number, number][] = [];
    const recording: BackoffStrategy = (attempt, previousDelay) => {
      calls.push([attempt, previousDelay]);
      return 2;
    };
    const result = source.pipe(reconnect({ backoff: recording, maxAttempts: 2, scheduler: m.scheduler }));
    m.expect(result).toBeObservable('2003ms #', undefined, busy);
    m.flush();
    expect(calls).to.deep.equal([[1, 0], [2, 1000]]);
  }));
});
