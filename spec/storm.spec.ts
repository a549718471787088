import { expect } from 'chai';
import { NEVER, VirtualTimeScheduler, defer, throwError } from 'rxjs';
import { BackoffStrategy } from '../src/backoff/backoff';
import { seededRandom } from '../src/backoff/seeded-random';
import { ConnectionClosedError, HandshakeError } from '../src/errors';
import { reconnect } from '../src/operators/reconnect';
import { DEFAULT_STORM, StormConfig, StormResult, peakIn, simulateStorm, stormStrategies, stormTable } from '../bench/storm';

/** The same storm, run through the real `reconnect` operator on a VirtualTimeScheduler (slow: small fleets only). */
function stormThroughOperator(backoff: BackoffStrategy, config: StormConfig): StormResult {
  const { clients, capacity, window, seed } = config;
  const scheduler = new VirtualTimeScheduler();
  const random = seededRandom(seed);
  const accepted = new Map<number, number>();
  const attemptTimes: number[] = [];
  const attempts = new Array<number>(clients).fill(0);
  let allConnectedAt = 0;
  const failures: unknown[] = [];
  for (let client = 0; client < clients; client++) {
    let dropped = false;
    const connection = defer(() => {
      if (!dropped) {
        dropped = true; // every client loses its connection at t = 0
        return throwError(() => new ConnectionClosedError(1006, '', false));
      }
      const now = scheduler.now();
      attemptTimes.push(now);
      attempts[client]! += 1;
      const slot = Math.floor(now / window);
      const taken = accepted.get(slot) ?? 0;
      if (taken >= capacity) return throwError(() => new HandshakeError(503));
      accepted.set(slot, taken + 1);
      allConnectedAt = now;
      return NEVER;
    });
    connection.pipe(reconnect({ backoff, scheduler, random, resetAfter: Infinity })).subscribe({ error: (e: unknown) => failures.push(e) });
  }
  scheduler.flush();
  expect(failures).to.deep.equal([]);
  return { peak: peakIn(attemptTimes, window), allConnectedAt, attempts: attemptTimes.length, maxClientAttempts: Math.max(...attempts) };
}

describe('reconnect storm (10,000 clients, 500 connections per 100 ms)', () => {
  // Sized to the fleet: the server needs clients / capacity * window = 2 s to take everyone back.
  let sized = new Map<string, StormResult>();
  let byDefault = new Map<string, StormResult>();
  before(() => {
    sized = new Map(stormStrategies(2000).map(([name, strategy]) => [name, simulateStorm(strategy)]));
    byDefault = new Map(stormStrategies(1000).map(([name, strategy]) => [name, simulateStorm(strategy)]));
  });
  const get = (results: Map<string, StormResult>, name: string): StormResult => {
    const result = results.get(name);
    if (result === undefined) throw new Error(`no storm result for ${name}`);
    return result;
  };

  it('should reconnect every client with every strategy', () => {
    for (const results of [sized, byDefault]) {
      for (const [name, r] of results) {
        expect(r.attempts, name).to.be.at.least(DEFAULT_STORM.clients);
        expect(r.allConnectedAt, name).to.be.greaterThan(0);
      }
    }
  });

  it('should see all 10,000 clients in one instant without jitter', () => {
    expect(get(sized, 'exponential, no jitter').peak).to.equal(10_000);
    expect(get(byDefault, 'exponential, no jitter').peak).to.equal(10_000);
    expect(get(sized, 'constant 2000 ms').peak).to.equal(10_000);
    // Phoenix's first two steps (10 ms, then 50 ms later) land in the same 100 ms.
    expect(get(sized, 'step (Phoenix table)').peak).to.equal(19_500);
  });

  it('should cut the peak at least 10 times with full and with decorrelated jitter, over 2 s to 30 s', () => {
    const none = get(sized, 'exponential, no jitter').peak;
    for (const name of ['exponential, full jitter', 'exponential, decorrelated jitter']) {
      const { peak } = get(sized, name);
      expect(none / peak, `${name}: peak ${peak}`).to.be.at.least(10);
    }
  });

  it('should cut the peak at least 10 times with decorrelated jitter over the default 1 s to 30 s, and about 8 times with full jitter', () => {
    // Full jitter spreads the first attempts over [0, 1 s): 1,000 per 100 ms on average, so 10x is out of reach.
    const none = get(byDefault, 'exponential, no jitter').peak;
    expect(none / get(byDefault, 'exponential, decorrelated jitter').peak).to.be.at.least(10);
    expect(none / get(byDefault, 'exponential, full jitter').peak).to.be.within(6, 10);
  });

  it('should reconnect everyone far sooner with jitter than without', () => {
    const none = get(sized, 'exponential, no jitter').allConnectedAt;
    for (const name of ['exponential, full jitter', 'exponential, equal jitter', 'exponential, decorrelated jitter']) {
      expect(get(sized, name).allConnectedAt * 10, name).to.be.below(none);
    }
  });

  it('should be deterministic for a seed, and differ for another seed', () => {
    const [, full] = stormStrategies(2000)[1]!;
    const again = simulateStorm(full);
    expect(again).to.deep.equal(get(sized, 'exponential, full jitter'));
    expect(simulateStorm(full, { ...DEFAULT_STORM, seed: 7 })).not.to.deep.equal(again);
  });

  it('should agree exactly with the reconnect operator run in virtual time (300 clients, 15 per 100 ms)', () => {
    const small: StormConfig = { clients: 300, capacity: 15, window: 100, seed: 11 };
    for (const [name, strategy] of stormStrategies(2000)) {
      expect(stormThroughOperator(strategy, small), name).to.deep.equal(simulateStorm(strategy, small));
    }
  });

  it('should print the table for README', () => {
    const table = stormTable(DEFAULT_STORM, 2000);
    expect(table.split('\n')).to.have.length(8);
    expect(table).to.include('| exponential, no jitter | 10,000 |');
    if (process.env['STORM_TABLE']) process.stdout.write(`\n${table}\n\n`);
  });
});

describe('peakIn', () => {
  it('should count the most times in any half-open interval [t, t + width)', () => {
    expect(peakIn([], 100)).to.equal(0);
    expect(peakIn([0, 99, 100, 150, 199.5], 100)).to.equal(3);
    expect(peakIn([0, 100, 200], 100)).to.equal(1);
    expect(peakIn([5, 5, 5], 1)).to.equal(3);
  });
});
