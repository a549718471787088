import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { HeartbeatTimeoutError, InvalidOptionsError } from '../../src/errors';
import { createHeartbeat, heartbeat } from '../../src/operators/heartbeat';
import { MAX_DELAY } from '../../src/time';

// A heartbeat interval or timeout above 2^31 - 1 ms would fire after 1 ms:
// it is refused, and MAX_DELAY itself is scheduled as it is.
describe('heartbeat: the MAX_DELAY limit', () => {
  it('should refuse an interval or timeout above MAX_DELAY, naming the option and the limit', () => {
    const ping = (): void => undefined;
    const onTimeout = (): void => undefined;
    const scheduler = new VirtualTimeScheduler();
    expect(() => heartbeat({ interval: MAX_DELAY + 1, ping })).to.throw(InvalidOptionsError, `heartbeat interval must be a number of milliseconds, above 0 and at most ${MAX_DELAY}, got ${MAX_DELAY + 1}`);
    expect(() => heartbeat({ timeout: 1e10, ping })).to.throw(InvalidOptionsError, 'heartbeat timeout');
    expect(() => createHeartbeat({ interval: 10, timeout: MAX_DELAY + 1, scheduler, ping, onTimeout })).to.throw(InvalidOptionsError, 'heartbeat timeout');
    expect(() => createHeartbeat({ interval: Infinity, timeout: 4, scheduler, ping, onTimeout })).to.throw(InvalidOptionsError, 'heartbeat interval');
  });

  it('should ping after MAX_DELAY and time out MAX_DELAY later with both set to the limit', marbles((m) => {
    const pings: number[] = [];
    const source = m.cold('o');
    const output = source.pipe(heartbeat({ interval: MAX_DELAY, timeout: MAX_DELAY, ping: () => pings.push(m.scheduler.now()), scheduler: m.scheduler }));
    m.expect(output).toBeObservable(`o ${2 * MAX_DELAY - 1}ms #`, undefined, new HeartbeatTimeoutError(MAX_DELAY));
    m.flush();
    expect(pings).to.deep.equal([MAX_DELAY, 2 * MAX_DELAY]);
  }));
});
