import { expect } from 'chai';
import { config, VirtualTimeScheduler } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { createHeartbeat, HeartbeatTimer, HeartbeatTimerConfig } from '../../src/operators/heartbeat';
import { wheelCount } from '../../src/operators/heartbeat-wheel';

// Heartbeats that share a scheduler and a delay share one scheduled action (a
// wheel). A callback that throws must stop only its own heartbeat: the error
// is reported (to onError, or the rxjs way, as an unhandled error), and every
// other heartbeat on the wheel keeps its schedule.
describe('createHeartbeat: one failing heartbeat on a shared wheel', () => {
  let unhandled: unknown[];
  let saved: typeof config.onUnhandledError;
  beforeEach(() => {
    unhandled = [];
    saved = config.onUnhandledError;
    config.onUnhandledError = (error) => unhandled.push(error);
  });
  afterEach(() => {
    config.onUnhandledError = saved;
  });

  type Log = Array<[string, number]>;
  function fleet(
    scheduler: HeartbeatTimerConfig['scheduler'],
    names: string[],
    overrides: (name: string, pings: Log, timeouts: Log) => Partial<HeartbeatTimerConfig> = () => ({}),
  ): { timers: Record<string, HeartbeatTimer>; pings: Log; timeouts: Log } {
    const pings: Log = [];
    const timeouts: Log = [];
    const timers: Record<string, HeartbeatTimer> = {};
    for (const name of names) {
      timers[name] = createHeartbeat({
        interval: 10,
        timeout: 4,
        scheduler,
        ping: () => pings.push([name, scheduler.now()]),
        onTimeout: () => timeouts.push([name, scheduler.now()]),
        ...overrides(name, pings, timeouts),
      });
    }
    return { timers, pings, timeouts };
  }

  it('should stop only the heartbeat whose ping throws, report its error as unhandled, and keep the others pinging', marbles((m) => {
    const boom = new Error('b cannot ping');
    const { timers, pings } = fleet(m.scheduler, ['a', 'b', 'c'], (name, log) =>
      name === 'b'
        ? { ping: () => { log.push([name, m.scheduler.now()]); throw boom; } }
        : {},
    );
    // All three start together: their pings share one slot time on one wheel.
    for (const timer of Object.values(timers)) timer.start();
    // a and c answer every ping at once, so they never time out.
    m.scheduler.schedule(function () {
      timers['a']!.alive();
      timers['c']!.alive();
      if (m.scheduler.now() < 40) this.schedule(undefined, 10);
    }, 11);
    m.scheduler.schedule(() => Object.values(timers).forEach((t) => t.stop()), 45);
    m.flush();
    expect(pings).to.deep.equal([
      ['a', 10], ['b', 10], ['c', 10],
      ['a', 20], ['c', 20],
      ['a', 30], ['c', 30],
      ['a', 40], ['c', 40],
    ]);
    expect(unhandled).to.deep.equal([boom]);
  }));

  it('should report running: false for the failed heartbeat and true for the others', marbles((m) => {
    const { timers } = fleet(m.scheduler, ['a', 'b'], (name) => (name === 'a' ? { ping: () => { throw new Error('a'); } } : {}));
    timers['a']!.start();
    timers['b']!.start();
    m.scheduler.schedule(() => {
      expect(timers['a']!.running, 'a after its ping threw').to.equal(false);
      expect(timers['b']!.running, 'b').to.equal(true);
    }, 11);
    m.flush();
    expect(unhandled).to.have.length(1);
  }));

  it('should keep the other deadlines and time them out on schedule when one onTimeout throws', marbles((m) => {
    const fatal = new Error('onTimeout of a failed');
    const { timers, pings, timeouts } = fleet(m.scheduler, ['a', 'b', 'c'], (name, _pings, log) =>
      name === 'a' ? { onTimeout: () => { log.push([name, m.scheduler.now()]); throw fatal; } } : {},
    );
    m.scheduler.schedule(() => timers['a']!.start(), 0);
    m.scheduler.schedule(() => timers['b']!.start(), 0);
    m.scheduler.schedule(() => timers['c']!.start(), 2);
    // c answers its first ping and then falls silent; b never answers.
    m.scheduler.schedule(() => timers['c']!.alive(), 13);
    m.flush();
    expect(pings).to.deep.equal([['a', 10], ['b', 10], ['c', 12], ['c', 22]]);
    expect(timeouts).to.deep.equal([['a', 14], ['b', 14], ['c', 26]]);
    expect(unhandled).to.deep.equal([fatal]);
    expect(Object.values(timers).map((t) => t.running)).to.deep.equal([false, false, false]);
  }));

  it('should give the error to onError and keep that heartbeat running when it has one', marbles((m) => {
    const errors: unknown[] = [];
    const boom = new Error('boom');
    let calls = 0;
    const { timers, pings } = fleet(m.scheduler, ['a', 'b'], (name, log) =>
      name === 'a'
        ? {
            ping: () => {
              log.push([name, m.scheduler.now()]);
              if (++calls === 1) throw boom;
            },
            onError: (error: unknown) => errors.push(error),
          }
        : {},
    );
    timers['a']!.start();
    timers['b']!.start();
    m.scheduler.schedule(function () {
      timers['a']!.alive();
      timers['b']!.alive();
      if (m.scheduler.now() < 40) this.schedule(undefined, 10);
    }, 11);
    m.scheduler.schedule(() => Object.values(timers).forEach((t) => t.stop()), 25);
    m.flush();
    expect(errors).to.deep.equal([boom]);
    expect(unhandled).to.deep.equal([]);
    expect(pings).to.deep.equal([['a', 10], ['b', 10], ['a', 20], ['b', 20]]);
  }));

  it('should stop the heartbeat and report as unhandled what onError itself throws', marbles((m) => {
    const second = new Error('onError failed too');
    const { timers, pings } = fleet(m.scheduler, ['a', 'b'], (name, log) =>
      name === 'a'
        ? {
            ping: () => { log.push([name, m.scheduler.now()]); throw new Error('first'); },
            onError: () => { throw second; },
          }
        : {},
    );
    timers['a']!.start();
    timers['b']!.start();
    m.scheduler.schedule(function () {
      timers['b']!.alive();
      if (m.scheduler.now() < 40) this.schedule(undefined, 10);
    }, 11);
    m.scheduler.schedule(() => timers['b']!.stop(), 35);
    m.flush();
    expect(unhandled).to.deep.equal([second]);
    expect(timers['a']!.running).to.equal(false);
    expect(pings).to.deep.equal([['a', 10], ['b', 10], ['b', 20], ['b', 30]]);
  }));

  it('should not throw from pong() when onRtt throws: the heartbeat stops and the error is reported', marbles((m) => {
    const rttError = new Error('onRtt failed');
    const { timers, pings } = fleet(m.scheduler, ['a', 'b'], (name) => (name === 'a' ? { onRtt: () => { throw rttError; } } : {}));
    timers['a']!.start();
    timers['b']!.start();
    m.scheduler.schedule(() => {
      expect(() => timers['a']!.pong()).not.to.throw();
      timers['b']!.pong();
    }, 12);
    m.scheduler.schedule(() => timers['b']!.stop(), 25);
    m.flush();
    expect(unhandled).to.deep.equal([rttError]);
    expect(timers['a']!.running).to.equal(false);
    expect(pings).to.deep.equal([['a', 10], ['b', 10], ['b', 20]]);
  }));

  it('should never throw out of the shared action of an injected VirtualTimeScheduler', async () => {
    const scheduler = new VirtualTimeScheduler();
    const boom = new Error('boom');
    // Outside TestScheduler.run(), rxjs reports an unhandled error on a fresh macrotask: wait for it.
    const reported = new Promise<void>((resolve) => {
      config.onUnhandledError = (error) => {
        unhandled.push(error);
        resolve();
      };
    });
    const { timers, pings } = fleet(scheduler, ['a', 'b'], (name) => (name === 'a' ? { ping: () => { throw boom; } } : {}));
    timers['a']!.start();
    timers['b']!.start();
    scheduler.schedule(() => timers['b']!.alive(), 12);
    expect(() => scheduler.flush()).not.to.throw();
    await reported;
    expect(unhandled).to.deep.equal([boom]);
    // b pinged at 10 and 20 (answered at 12, not at 20): its deadline at 24 ended it.
    expect(pings).to.deep.equal([['b', 10], ['b', 20]]);
    expect(timers['b']!.running).to.equal(false);
  });
});

// The per-scheduler table of wheels keeps only wheels with pending wake-ups:
// heartbeats with many distinct delays must not grow it without bound.
describe('createHeartbeat: pruning the wheels', () => {
  const make = (scheduler: VirtualTimeScheduler, interval: number, timeout: number, onTimeout = (): void => undefined): HeartbeatTimer =>
    createHeartbeat({ interval, timeout, scheduler, ping: () => undefined, onTimeout });

  it('should remove every wheel once the heartbeats with 1,000 distinct delays have stopped', () => {
    const scheduler = new VirtualTimeScheduler();
    const timers = Array.from({ length: 1000 }, (_, i) => make(scheduler, 100 + i, 50));
    timers.forEach((t) => t.start());
    expect(wheelCount(scheduler), 'one ping wheel per interval').to.equal(1000);
    scheduler.schedule(() => timers.forEach((t) => t.alive()), 1200);
    scheduler.schedule(() => {
      // Every timer has pinged by now: a deadline wheel (timeout 50) is in use too.
      expect(wheelCount(scheduler)).to.be.at.most(1001);
      timers.forEach((t) => t.stop());
    }, 1120);
    scheduler.flush();
    expect(wheelCount(scheduler)).to.equal(0);
  });

  it('should remove the wheels of heartbeats that ended by timing out', () => {
    const scheduler = new VirtualTimeScheduler();
    const timeouts: number[] = [];
    for (let i = 0; i < 50; i++) make(scheduler, 10 + i, 5 + i, () => timeouts.push(i)).start();
    scheduler.flush();
    expect(timeouts).to.have.length(50);
    expect(wheelCount(scheduler)).to.equal(0);
  });

  it('should make a fresh wheel for a heartbeat restarted after its wheel was pruned', () => {
    const scheduler = new VirtualTimeScheduler();
    const pings: number[] = [];
    const timer = createHeartbeat({ interval: 10, timeout: 4, scheduler, ping: () => pings.push(scheduler.now()), onTimeout: () => undefined });
    timer.start();
    timer.stop();
    expect(wheelCount(scheduler)).to.equal(0);
    scheduler.schedule(() => timer.start(), 5);
    scheduler.schedule(() => timer.alive(), 16);
    scheduler.schedule(() => timer.stop(), 20);
    scheduler.flush();
    expect(pings).to.deep.equal([15]);
    expect(wheelCount(scheduler)).to.equal(0);
  });

  it('should keep one wheel per delay while heartbeats share it', () => {
    const scheduler = new VirtualTimeScheduler();
    const timers = Array.from({ length: 100 }, () => make(scheduler, 30, 10));
    timers.forEach((t) => t.start());
    expect(wheelCount(scheduler)).to.equal(1);
    timers.slice(0, 99).forEach((t) => t.stop());
    expect(wheelCount(scheduler)).to.equal(1);
    timers[99]!.stop();
    expect(wheelCount(scheduler)).to.equal(0);
  });
});
