import { expect } from 'chai';
import { defer, Observable, throwError, timer, mergeMap } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { RandomSource } from '../../src/backoff/backoff';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { exponentialBackoff } from '../../src/backoff/exponential-backoff';
import { seededRandom } from '../../src/backoff/seeded-random';
import { closePolicy, DEFAULT_RETRY_FLOORS, retryFloorOf } from '../../src/close-codes';
import { ConnectionClosedError, HandshakeError, InvalidOptionsError } from '../../src/errors';
import { ReconnectConfig, reconnect } from '../../src/operators/reconnect';
import { MAX_DELAY } from '../../src/time';
import { randomSequence } from '../reconnect/support';

const closed = (code: number): ConnectionClosedError => new ConnectionClosedError(code, '', true);

/**
 * Runs a source that fails one frame after each subscription with `error`,
 * through reconnect(config) with `attempts` attempts, and returns when each
 * subscription happened (virtual time) and the delays onAttempt was told.
 */
function run(
  m: { scheduler: import('rxjs').SchedulerLike; flush(): void },
  error: unknown,
  config: ReconnectConfig,
  attempts = 1,
): { subscribedAt: number[]; delays: number[] } {
  const subscribedAt: number[] = [];
  const delays: number[] = [];
  const source: Observable<never> = defer(() => {
    subscribedAt.push(m.scheduler.now());
    return timer(1, m.scheduler).pipe(mergeMap(() => throwError(() => error)));
  });
  source
    .pipe(reconnect({ maxAttempts: attempts, scheduler: m.scheduler, onAttempt: (a) => delays.push(a.delay), ...config }))
    .subscribe({ error: () => undefined });
  m.flush();
  return { subscribedAt, delays };
}

/** The first draw of seededRandom(seed). */
const firstDraw = (seed: number): number => seededRandom(seed)();

// A server that closes with 1013 (try again later) is shedding load: the next
// attempt waits at least 5 s plus up to 2.5 s of jitter from the random source,
// whatever the backoff says. 1012 (service restart) keeps a short jittered wait.
describe('close policy: floors for 1013 and 1012 (marbles)', () => {
  it('should wait 5000 ms plus a jitter in [0, 2500) drawn from the seeded random source after a 1013', marbles((m) => {
    const { subscribedAt, delays } = run(m, closed(1013), { backoff: constantBackoff(100), random: seededRandom(42) });
    // Whole milliseconds, rounded up: 5000 + 0.6011... * 2500 = 6502.76 waits 6503 ms.
    const expected = Math.ceil(5000 + firstDraw(42) * 2500);
    expect(delays).to.deep.equal([6503]);
    expect(delays).to.deep.equal([expected]);
    expect(expected).to.be.within(5000, 7500);
    expect(subscribedAt).to.deep.equal([0, 1 + expected]);
  }));

  it('should spread clients turned away together with 1013 across 5 to 7.5 s', marbles((m) => {
    const waits = Array.from({ length: 20 }, (_, seed) => run(m, closed(1013), { backoff: constantBackoff(100), random: seededRandom(seed) }).delays[0]!);
    for (const wait of waits) expect(wait).to.be.within(5000, 7500);
    expect(new Set(waits).size, 'no two clients come back in the same instant').to.equal(20);
    expect(Math.max(...waits) - Math.min(...waits), 'spread over most of the 2.5 s window').to.be.above(1500);
  }));

  it('should draw the floor after the backoff, from the same random source', marbles((m) => {
    // Full jitter: 0.5 * 1000 = 500 for the backoff; then 5000 + 0.2 * 2500 = 5500 for the floor.
    const { delays } = run(m, closed(1013), { backoff: exponentialBackoff(), random: randomSequence(0.5, 0.2) });
    expect(delays).to.deep.equal([5500]);
  }));

  it('should keep the floor on every attempt of a 1013 outage, and let a longer backoff win', marbles((m) => {
    const backoff = exponentialBackoff({ initialDelay: 2000, maxDelay: 16_000, jitter: 'none' });
    const { delays } = run(m, closed(1013), { backoff, random: randomSequence(0, 0, 0, 0) }, 4);
    expect(delays).to.deep.equal([5000, 5000, 8000, 16_000]);
  }));

  it('should wait 50 ms plus a jitter in [0, 100) after a 1012 when the backoff is shorter', marbles((m) => {
    const { subscribedAt, delays } = run(m, closed(1012), { backoff: constantBackoff(0), random: seededRandom(7) });
    // Whole milliseconds, rounded up: 50 + 0.0117... * 100 = 51.17 waits 52 ms.
    const expected = Math.ceil(50 + firstDraw(7) * 100);
    expect(expected).to.be.within(50, 150);
    expect(delays).to.deep.equal([52]);
    expect(delays).to.deep.equal([expected]);
    expect(subscribedAt).to.deep.equal([0, 1 + expected]);
  }));

  it('should keep the backoff after a 1012 when it is longer than the floor', marbles((m) => {
    const { delays } = run(m, closed(1012), { backoff: constantBackoff(150), random: seededRandom(7) });
    expect(delays).to.deep.equal([150]);
  }));

  it('should give no floor to other close codes or errors', marbles((m) => {
    for (const error of [closed(1006), closed(1011), closed(1001), new HandshakeError(503)]) {
      expect(run(m, error, { backoff: constantBackoff(3), random: randomSequence() }).delays).to.deep.equal([3]);
    }
  }));

  it('should let a Retry-After longer than the floor win', marbles((m) => {
    // The floor applies to close codes; a 503's Retry-After of 9 s is longer than any backoff here.
    const { delays } = run(m, new HandshakeError(503, { 'retry-after': '9' }), { backoff: constantBackoff(3), random: randomSequence() });
    expect(delays).to.deep.equal([9000]);
  }));

  it('should take the floors of the policy config over the defaults', marbles((m) => {
    const policy = { floors: { 1013: { min: 30_000 }, 1012: false as const } };
    expect(run(m, closed(1013), { backoff: constantBackoff(3), policy, random: randomSequence() }).delays).to.deep.equal([30_000]);
    expect(run(m, closed(1012), { backoff: constantBackoff(3), policy, random: randomSequence() }).delays).to.deep.equal([3]);
  }));

  it('should put a floor on an application code the policy retries', marbles((m) => {
    const policy = { codes: { 4429: 'retry' as const }, floors: { 4429: { min: 60_000, jitter: 1000 } } };
    const { delays } = run(m, closed(4429), { backoff: constantBackoff(3), policy, random: randomSequence(0.5) });
    expect(delays).to.deep.equal([60_500]);
  }));

  it('should apply the default floors with a policy function or shouldReconnect', marbles((m) => {
    const viaFunction = run(m, closed(1013), { backoff: constantBackoff(3), policy: closePolicy(), random: randomSequence(0) });
    const viaPredicate = run(m, closed(1013), { backoff: constantBackoff(3), shouldReconnect: () => true, random: randomSequence(0) });
    expect(viaFunction.delays).to.deep.equal([5000]);
    expect(viaPredicate.delays).to.deep.equal([5000]);
  }));

  it('should cap a floor above MAX_DELAY at MAX_DELAY', marbles((m) => {
    const policy = { floors: { 1013: { min: MAX_DELAY, jitter: MAX_DELAY } } };
    expect(run(m, closed(1013), { backoff: constantBackoff(3), policy, random: randomSequence(0.9) }).delays).to.deep.equal([MAX_DELAY]);
  }));

  it('should refuse a floor that is not { min, jitter } of durations, naming the code', () => {
    expect(() => reconnect({ policy: { floors: { 1013: { min: -1 } } } })).to.throw(InvalidOptionsError, 'floors[1013].min');
    expect(() => reconnect({ policy: { floors: { 1013: { min: 1, jitter: MAX_DELAY + 1 } } } })).to.throw(InvalidOptionsError, 'floors[1013].jitter');
    expect(() => closePolicy({ floors: { 1012: 5 as never } })).to.throw(InvalidOptionsError, 'floors[1012]');
    expect(() => closePolicy({ floors: 'none' as never })).to.throw(InvalidOptionsError, 'floors');
  });

  it('should document the defaults in DEFAULT_RETRY_FLOORS and look them up with retryFloorOf', () => {
    expect(DEFAULT_RETRY_FLOORS).to.deep.equal({ 1012: { min: 50, jitter: 100 }, 1013: { min: 5000, jitter: 2500 } });
    expect(retryFloorOf(closed(1013))).to.equal(DEFAULT_RETRY_FLOORS[1013]);
    expect(retryFloorOf(closed(1013), { 1013: false })).to.equal(undefined);
    expect(retryFloorOf(closed(1006))).to.equal(undefined);
    expect(retryFloorOf(new HandshakeError(503))).to.equal(undefined);
  });

  it('should end the result with an InvalidOptionsError when the random source breaks its promise on a floor', marbles((m) => {
    const bad: RandomSource = () => 2;
    let failure: unknown;
    defer(() => timer(1, m.scheduler).pipe(mergeMap(() => throwError(() => closed(1013)))))
      .pipe(reconnect({ backoff: constantBackoff(3), random: bad, scheduler: m.scheduler }))
      .subscribe({ error: (e: unknown) => (failure = e) });
    m.flush();
    expect(failure).to.be.instanceOf(InvalidOptionsError);
    expect((failure as Error).message).to.include('random source');
  }));
});
