import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { connect } from '../../src/client/connect';
import type { SocketEvent } from '../../src/client/events';
import { createHeartbeat } from '../../src/operators/create-heartbeat';
import { TestTransport } from '../../src/testing/test-transport';
import { sleepyClock } from './support';

/**
 * A clock that can jump, as a machine's does across a sleep: timers run on `base` (they stop while a machine sleeps),
 * `now()` is `base.now()` plus every jump so far.
 */

describe('heartbeat: waking from sleep', () => {
  it(
    'should ping within a second of waking, and time out a silent peer one timeout later',
    marbles((m) => {
      const { scheduler, sleep } = sleepyClock(m.scheduler);
      const pings: number[] = [];
      const timeouts: number[] = [];
      const timer = createHeartbeat({
        interval: 10_000,
        timeout: 10_000,
        scheduler,
        ping: () => pings.push(m.scheduler.now()),
        onTimeout: () => timeouts.push(m.scheduler.now()),
      });
      timer.start();
      // Asleep for a minute at t=3500 (virtual time stands still, the clock jumps): noticed at the look of t=4000.
      m.scheduler.schedule(() => sleep(60_000), 3500);
      m.flush();
      expect(pings[0]).to.equal(4000);
      expect(timeouts).to.deep.equal([14_000]);
    }),
  );

  it(
    'should not let a deadline that passed during the sleep time out a peer that answers after waking',
    marbles((m) => {
      const { scheduler, sleep } = sleepyClock(m.scheduler);
      const pings: number[] = [];
      const timeouts: number[] = [];
      const timer = createHeartbeat({
        interval: 10_000,
        timeout: 10_000,
        scheduler,
        ping: () => {
          pings.push(m.scheduler.now());
          // The peer answers 100 ms after each ping, but only after the sleep.
          if (m.scheduler.now() >= 12_000) m.scheduler.schedule(() => timer.alive(), 100);
        },
        onTimeout: () => timeouts.push(m.scheduler.now()),
      });
      timer.start();
      // The ping of 10,000 waits for its answer when the machine sleeps at 12,000, past its deadline of 20,000; the
      // look of 12,000 (right after) sees it, and pings again.
      m.scheduler.schedule(() => sleep(60_000), 12_000);
      m.scheduler.schedule(() => timer.stop(), 40_000);
      m.flush();
      expect(pings.slice(0, 2)).to.deep.equal([10_000, 12_000]);
      expect(timeouts).to.deep.equal([]);
    }),
  );

  it(
    'should check a socket as soon as the machine wakes: a ping frame, and the socket stays open when answered',
    marbles((m) => {
      const { scheduler, sleep } = sleepyClock(m.scheduler);
      const transport = new TestTransport({ scheduler, script: (s) => s.open({ after: 1 }) });
      const socket = connect('ws://example.test/feed', { transport, scheduler });
      const events: SocketEvent[] = [];
      socket.events$.subscribe((e) => events.push(e));
      m.scheduler.schedule(() => sleep(5 * 60_000), 2500);
      m.scheduler.schedule(() => socket.close(), 6000);
      m.flush();
      const pings = transport.written.filter((w) => w.frame.type === 'ping').map((w) => w.time);
      // The heartbeat started at the open (t=1), its clock is looked at every second: the look of t=3001 (virtual)
      // is at 303,001 on the clock, and pings (the frame is recorded on the socket's clock).
      expect(pings).to.deep.equal([303_001]);
      expect(events.filter((e) => e.type === 'heartbeat-timeout')).to.deep.equal([]);
      expect(events.filter((e) => e.type === 'rtt')).to.have.length(1);
    }),
  );

  it('should leave nothing scheduled once the last heartbeat stops', () => {
    const scheduler = new VirtualTimeScheduler();
    const timer = createHeartbeat({ interval: 10_000, timeout: 10_000, scheduler, ping: () => undefined, onTimeout: () => undefined });
    timer.start();
    expect(scheduler.actions.length).to.be.above(0);
    timer.stop();
    scheduler.flush();
    expect(scheduler.actions.length).to.equal(0);
    expect(scheduler.now()).to.equal(0);
  });
});
