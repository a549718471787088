import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { createHeartbeat, heartbeat, HeartbeatTimer } from '../../src/operators/heartbeat';
import { sleepyClock } from './support';

describe('createHeartbeat at its edges', () => {
  it(
    'should time out at the deadline of the oldest unanswered ping when the timeout spans several pings',
    marbles((m) => {
      const events: string[] = [];
      const timer = createHeartbeat({
        interval: 10,
        timeout: 25,
        scheduler: m.scheduler,
        ping: () => events.push(`ping@${m.scheduler.now()}`),
        onTimeout: () => events.push(`timeout@${m.scheduler.now()}`),
      });
      timer.start();
      // Life at 15 answers the ping of 10; the ping of 20 is the oldest unanswered one: its deadline is 20 + 25.
      m.scheduler.schedule(() => timer.alive(), 15);
      m.flush();
      expect(events).to.deep.equal(['ping@10', 'ping@20', 'ping@30', 'ping@40', 'timeout@45']);
    }),
  );

  it(
    'should report no round-trip time for a pong after stop(), nor for one before the first ping of a restart',
    marbles((m) => {
      const rtts: Array<[number, number]> = [];
      const timer = createHeartbeat({
        interval: 10,
        timeout: 4,
        scheduler: m.scheduler,
        ping: () => undefined,
        onTimeout: () => undefined,
        onRtt: (rtt) => rtts.push([m.scheduler.now(), rtt]),
      });
      timer.start();
      m.scheduler.schedule(() => timer.stop(), 11); // the ping of 10 is still unanswered
      m.scheduler.schedule(() => timer.pong(), 12);
      m.scheduler.schedule(() => timer.start(), 13);
      m.scheduler.schedule(() => timer.pong(), 14);
      m.scheduler.schedule(() => timer.pong(), 24); // answers the ping of 23
      m.scheduler.schedule(() => timer.stop(), 25);
      m.flush();
      expect(rtts).to.deep.equal([[24, 1]]);
    }),
  );

  it(
    'should take an extend() answer that is not a number as none',
    marbles((m) => {
      const timeouts: number[] = [];
      const timer = createHeartbeat({
        interval: 10,
        timeout: 4,
        scheduler: m.scheduler,
        ping: () => undefined,
        onTimeout: () => timeouts.push(m.scheduler.now()),
        extend: () => '100' as unknown as number,
      });
      timer.start();
      m.flush();
      expect(timeouts).to.deep.equal([14]);
    }),
  );

  it(
    'should ping once on waking, though its deadline was pending too',
    marbles((m) => {
      const { scheduler, sleep } = sleepyClock(m.scheduler);
      const pings: number[] = [];
      // interval = timeout: the ping and its deadline wait on one wheel.
      const timer = createHeartbeat({ interval: 10_000, timeout: 10_000, scheduler, ping: () => pings.push(m.scheduler.now()), onTimeout: () => undefined });
      timer.start();
      m.scheduler.schedule(() => timer.alive(), 10_100);
      // The deadline of the ping of 10000 is pending (until 20000) when the machine sleeps at 13500.
      m.scheduler.schedule(() => sleep(60_000), 13_500);
      m.scheduler.schedule(() => timer.stop(), 14_500);
      m.flush();
      expect(pings).to.deep.equal([10_000, 14_000]);
    }),
  );

  it(
    'should not wake a heartbeat that another one stopped while waking',
    marbles((m) => {
      const { scheduler, sleep } = sleepyClock(m.scheduler);
      const pings: string[] = [];
      let b: HeartbeatTimer | undefined;
      const a = createHeartbeat({
        interval: 10_000,
        timeout: 10_000,
        scheduler,
        ping: () => {
          pings.push(`a@${m.scheduler.now()}`);
          b!.stop();
        },
        onTimeout: () => undefined,
      });
      b = createHeartbeat({ interval: 10_000, timeout: 10_000, scheduler, ping: () => pings.push(`b@${m.scheduler.now()}`), onTimeout: () => undefined });
      a.start();
      b.start();
      m.scheduler.schedule(() => sleep(60_000), 3500);
      m.scheduler.schedule(() => a.stop(), 5000);
      m.flush();
      expect(pings).to.deep.equal(['a@4000']);
    }),
  );

  it('should not count a clock that jumps by SLEPT_AFTER (5 s) or less as a sleep', () => {
    const base = new VirtualTimeScheduler();
    const { scheduler, sleep } = sleepyClock(base);
    const pings: number[] = [];
    const timer = createHeartbeat({ interval: 10_000, timeout: 10_000, scheduler, ping: () => pings.push(base.now()), onTimeout: () => undefined });
    timer.start();
    // The clock jumps 5 s at 1500: the look of 2000 and the ping of 10000 (on the timers' clock) come exactly 5 s late.
    base.schedule(() => sleep(5000), 1500);
    base.schedule(() => timer.stop(), 10_500);
    base.flush();
    expect(pings).to.deep.equal([10_000]);
  });

  it('should not time out on a deadline that passed in a sleep, when the deadline comes up before the clock watch looks', () => {
    const base = new VirtualTimeScheduler();
    const { scheduler, sleep } = sleepyClock(base);
    const pings: number[] = [];
    const timeouts: number[] = [];
    const timer = createHeartbeat({
      interval: 10_000,
      timeout: 3000,
      scheduler,
      ping: () => pings.push(base.now()),
      onTimeout: () => timeouts.push(base.now()),
    });
    timer.start();
    // The ping of 10000 waits for an answer until 13000; the machine sleeps a minute at 12500; the peer answers right after waking.
    base.schedule(() => sleep(60_000), 12_500);
    base.schedule(() => timer.alive(), 13_100);
    base.schedule(() => timer.stop(), 20_000);
    base.flush();
    expect(timeouts).to.deep.equal([]);
    expect(pings.slice(0, 2)).to.deep.equal([10_000, 13_000]);
  });

  it('should keep one scheduled action per wheel, however many heartbeats share it and however often it runs', () => {
    const scheduler = new VirtualTimeScheduler();
    const timers = [0, 3, 5].map(() => createHeartbeat({ interval: 10, timeout: 4, scheduler, ping: () => undefined, onTimeout: () => undefined }));
    timers.forEach((timer, i) => scheduler.schedule(() => timer.start(), [0, 3, 5][i]));
    for (const at of [12, 14, 16, 22, 24, 26, 32, 34, 36]) scheduler.schedule(() => timers.forEach((timer) => timer.alive()), at);
    scheduler.maxFrames = 40;
    scheduler.flush();
    // The pings' wheel, the deadlines' wheel, and the clock watch.
    expect(scheduler.actions.length).to.equal(3);
    timers.forEach((timer) => timer.stop());
  });

  it('should leave nothing scheduled after a wake in which the only heartbeat stopped', () => {
    const base = new VirtualTimeScheduler();
    const { scheduler, sleep } = sleepyClock(base);
    const timer: HeartbeatTimer = createHeartbeat({
      interval: 10_000,
      timeout: 10_000,
      scheduler,
      ping: () => timer.stop(),
      onTimeout: () => undefined,
    });
    timer.start();
    base.schedule(() => sleep(60_000), 3500);
    base.maxFrames = 100_000;
    base.flush();
    expect(base.actions.length).to.equal(0);
    expect(timer.running).to.equal(false);
  });
});

describe('heartbeat() with isPong', () => {
  it(
    'should count every value as life but report a round-trip time only for pongs',
    marbles((m) => {
      const rtts: number[] = [];
      const source = m.cold('o 11ms d 9ms p 9ms d 9ms |');
      const output = source.pipe(
        heartbeat<string>({ interval: 10, timeout: 4, ping: () => undefined, isPong: (v) => v === 'p', onRtt: (rtt) => rtts.push(rtt), scheduler: m.scheduler }),
      );
      m.expect(output).toBeObservable('o 11ms d 9ms p 9ms d 9ms |');
      m.flush();
      expect(rtts).to.deep.equal([2]);
    }),
  );
});
