import { expect } from 'chai';
import { config as rxjsConfig } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { HeartbeatTimeoutError, InvalidOptionsError } from '../../src/errors';
import { createHeartbeat, heartbeat, HeartbeatTimer } from '../../src/operators/heartbeat';

// interval 10, timeout 4 unless said otherwise: pings at 10, 20, 30 ...; a deadline 4 frames after each.
describe('heartbeat', () => {
  const timeoutError = (timeout: number) => new HeartbeatTimeoutError(timeout);

  it(
    'should ping every interval from the first value while traffic keeps it alive',
    marbles((m) => {
      const pings: number[] = [];
      const source = m.cold('o 11ms f 9ms f 9ms f 9ms |');
      const expected = '     o 11ms f 9ms f 9ms f 9ms |';
      const output = source.pipe(heartbeat({ interval: 10, timeout: 4, ping: () => pings.push(m.scheduler.now()), scheduler: m.scheduler }));
      m.expect(output).toBeObservable(expected);
      m.flush();
      expect(pings).to.deep.equal([10, 20, 30, 40]);
    }),
  );

  it(
    'should count the first value as the start, not as time zero of the test',
    marbles((m) => {
      const pings: number[] = [];
      const source = m.cold('5ms o 11ms f 3ms |');
      const output = source.pipe(heartbeat({ interval: 10, timeout: 4, ping: () => pings.push(m.scheduler.now()), scheduler: m.scheduler }));
      m.expect(output).toBeObservable('5ms o 11ms f 3ms |');
      m.flush();
      expect(pings).to.deep.equal([15]);
    }),
  );

  it(
    'should error with HeartbeatTimeoutError at exactly interval + timeout when the source falls silent',
    marbles((m) => {
      const pings: number[] = [];
      const source = m.cold('o');
      const output = source.pipe(heartbeat({ interval: 10, timeout: 4, ping: () => pings.push(m.scheduler.now()), scheduler: m.scheduler }));
      m.expect(output).toBeObservable('o 13ms #', undefined, timeoutError(4));
      m.expect(source).toHaveSubscriptions('^ 13ms !');
      m.flush();
      expect(pings).to.deep.equal([10]);
    }),
  );

  it(
    'should error at the deadline of the first ping nothing answered',
    marbles((m) => {
      const source = m.cold('o 11ms f');
      const output = source.pipe(heartbeat({ interval: 10, timeout: 4, ping: () => undefined, scheduler: m.scheduler }));
      m.expect(output).toBeObservable('o 11ms f 11ms #', undefined, timeoutError(4));
      m.expect(source).toHaveSubscriptions('^ 23ms !');
    }),
  );

  it(
    'should not count a value that came before the ping as its answer',
    marbles((m) => {
      const source = m.cold('o 4ms f');
      const output = source.pipe(heartbeat({ interval: 10, timeout: 4, ping: () => undefined, scheduler: m.scheduler }));
      m.expect(output).toBeObservable('o 4ms f 8ms #', undefined, timeoutError(4));
    }),
  );

  it(
    'should watch the oldest unanswered ping when the timeout is longer than the interval',
    marbles((m) => {
      const pings: number[] = [];
      const source = m.cold('o 11ms f');
      const output = source.pipe(heartbeat({ interval: 10, timeout: 15, ping: () => pings.push(m.scheduler.now()), scheduler: m.scheduler }));
      // f at 12 answers the ping at 10; the ping at 20 is never answered: error at 20 + 15.
      m.expect(output).toBeObservable('o 11ms f 22ms #', undefined, timeoutError(15));
      m.flush();
      expect(pings).to.deep.equal([10, 20, 30]);
    }),
  );

  it(
    'should report the round-trip time of each ping once',
    marbles((m) => {
      const rtts: number[] = [];
      const source = m.cold('o 12ms pp 6ms p 9ms |');
      const output = source.pipe(
        heartbeat({
          interval: 10,
          timeout: 4,
          ping: () => undefined,
          isPong: (value) => value === 'p',
          onRtt: (rtt) => rtts.push(rtt),
          scheduler: m.scheduler,
        }),
      );
      m.expect(output).toBeObservable('o 12ms pp 6ms p 9ms |');
      m.flush();
      expect(rtts).to.deep.equal([3, 1]);
    }),
  );

  it(
    'should neither ping nor time out before the first value',
    marbles((m) => {
      const pings: number[] = [];
      const source = m.cold('-');
      const output = source.pipe(heartbeat({ interval: 10, timeout: 4, ping: () => pings.push(m.scheduler.now()), scheduler: m.scheduler }));
      m.expect(output).toBeObservable('-');
      m.flush();
      expect(pings).to.deep.equal([]);
    }),
  );

  it(
    'should complete at once with an empty source',
    marbles((m) => {
      const pings: number[] = [];
      const output = m.cold('|').pipe(heartbeat({ interval: 10, timeout: 4, ping: () => pings.push(0), scheduler: m.scheduler }));
      m.expect(output).toBeObservable('|');
      m.flush();
      expect(pings).to.deep.equal([]);
    }),
  );

  it(
    "should pass the source's error through and stop pinging",
    marbles((m) => {
      const pings: number[] = [];
      const error = new Error('gone');
      const source = m.cold('o 11ms f 2ms #', undefined, error);
      const output = source.pipe(heartbeat({ interval: 10, timeout: 4, ping: () => pings.push(m.scheduler.now()), scheduler: m.scheduler }));
      m.expect(output).toBeObservable('o 11ms f 2ms #', undefined, error);
      m.flush();
      expect(pings).to.deep.equal([10]);
    }),
  );

  it(
    'should surface an error thrown by ping as the output error',
    marbles((m) => {
      const error = new Error('socket not open');
      const source = m.cold('o 20ms f');
      const output = source.pipe(
        heartbeat({
          interval: 10,
          timeout: 4,
          ping: () => {
            throw error;
          },
          scheduler: m.scheduler,
        }),
      );
      m.expect(output).toBeObservable('o 9ms #', undefined, error);
      m.expect(source).toHaveSubscriptions('^ 9ms !');
    }),
  );

  it(
    'should surface an error thrown by isPong or onRtt as the output error',
    marbles((m) => {
      const error = new Error('bad pong');
      const isPongThrows = m.cold('o 2ms x').pipe(
        heartbeat<string>({
          interval: 10,
          timeout: 4,
          ping: () => undefined,
          isPong: (value) => {
            if (value === 'x') throw error;
            return false;
          },
          scheduler: m.scheduler,
        }),
      );
      m.expect(isPongThrows).toBeObservable('o 2ms #', undefined, error);
      const onRttThrows = m.cold('o 11ms p').pipe(
        heartbeat<string>({
          interval: 10,
          timeout: 4,
          ping: () => undefined,
          isPong: (value) => value === 'p',
          onRtt: () => {
            throw error;
          },
          scheduler: m.scheduler,
        }),
      );
      m.expect(onRttThrows).toBeObservable('o 11ms #', undefined, error);
    }),
  );

  it(
    'should cancel its timers when unsubscribed',
    marbles((m) => {
      const pings: number[] = [];
      const source = m.cold('o 11ms f');
      const output = source.pipe(heartbeat({ interval: 10, timeout: 4, ping: () => pings.push(m.scheduler.now()), scheduler: m.scheduler }));
      m.expect(output, '^ 16ms !').toBeObservable('o 11ms f');
      m.expect(source).toHaveSubscriptions('^ 16ms !');
      m.flush();
      expect(pings).to.deep.equal([10]);
    }),
  );

  it('should reject an interval or timeout that is not a finite number above 0', () => {
    const ping = () => undefined;
    expect(() => heartbeat({ interval: 0, timeout: 4, ping })).to.throw(InvalidOptionsError, /heartbeat interval .* got 0/);
    expect(() => heartbeat({ interval: 10, timeout: -1, ping })).to.throw(InvalidOptionsError, /heartbeat timeout .* got -1/);
    expect(() => heartbeat({ interval: Infinity, ping })).to.throw(InvalidOptionsError, /interval/);
    expect(() => heartbeat({ interval: NaN, ping })).to.throw(InvalidOptionsError, /interval/);
    expect(() => heartbeat({ ping: 'x' as unknown as () => void })).to.throw(InvalidOptionsError, /ping must be a function/);
  });
});

describe('createHeartbeat', () => {
  it(
    'should time out, stop, and report the timeout once',
    marbles((m) => {
      const events: string[] = [];
      const timer = createHeartbeat({
        interval: 10,
        timeout: 4,
        scheduler: m.scheduler,
        ping: () => events.push(`ping@${m.scheduler.now()}`),
        onTimeout: (error) => events.push(`timeout@${m.scheduler.now()}:${error.timeout}`),
      });
      timer.start();
      m.scheduler.schedule(() => timer.alive(), 12);
      m.flush();
      expect(events).to.deep.equal(['ping@10', 'ping@20', 'timeout@24:4']);
      expect(timer.running).to.equal(false);
    }),
  );

  it(
    'should count pong as life and report its RTT once per ping',
    marbles((m) => {
      const rtts: number[] = [];
      let timedOut = false;
      const timer: HeartbeatTimer = createHeartbeat({
        interval: 10,
        timeout: 4,
        scheduler: m.scheduler,
        ping: () => undefined,
        onTimeout: () => (timedOut = true),
        onRtt: (rtt) => rtts.push(rtt),
      });
      timer.pong(); // before any ping: no RTT
      timer.start();
      for (const at of [11, 12, 23]) m.scheduler.schedule(() => timer.pong(), at);
      m.scheduler.schedule(() => timer.stop(), 25);
      m.flush();
      expect(rtts).to.deep.equal([1, 3]);
      expect(timedOut).to.equal(false);
    }),
  );

  it(
    'should be stoppable twice and startable again with fresh deadlines',
    marbles((m) => {
      const pings: number[] = [];
      const timer = createHeartbeat({
        interval: 10,
        timeout: 4,
        scheduler: m.scheduler,
        ping: () => pings.push(m.scheduler.now()),
        onTimeout: () => pings.push(-1),
      });
      timer.start();
      timer.start(); // no-op while running
      m.scheduler.schedule(() => {
        timer.stop();
        timer.stop();
      }, 12);
      m.scheduler.schedule(() => timer.start(), 30);
      m.scheduler.schedule(() => timer.stop(), 41);
      m.flush();
      expect(pings).to.deep.equal([10, 40]);
    }),
  );

  it(
    'should pass what ping throws to onError and keep its deadline',
    marbles((m) => {
      const errors: unknown[] = [];
      const timeouts: number[] = [];
      const boom = new Error('boom');
      const timer = createHeartbeat({
        interval: 10,
        timeout: 4,
        scheduler: m.scheduler,
        ping: () => {
          throw boom;
        },
        onTimeout: () => timeouts.push(m.scheduler.now()),
        onError: (error) => errors.push(error),
      });
      timer.start();
      m.flush();
      expect(errors).to.deep.equal([boom]);
      expect(timeouts).to.deep.equal([14]);
    }),
  );

  it(
    'should move the deadline by what extend() gives, and time out when it gives nothing',
    marbles((m) => {
      // extend() gives 4 ms more twice (at 104 and 108), then none: the ping of 100 is dead at 112.
      const answers = [4, 4, 0];
      const looks: Array<[number, number]> = [];
      const extend = (sentAt: number): number => {
        looks.push([m.scheduler.now(), sentAt]);
        return answers.shift() ?? 0;
      };
      const source = m.cold('o');
      const output = source.pipe(heartbeat({ interval: 100, timeout: 4, ping: () => undefined, extend, scheduler: m.scheduler }));
      m.expect(output).toBeObservable('o 111ms #', undefined, new HeartbeatTimeoutError(4));
      m.flush();
      // Each look names the watched ping: the one sent at 100.
      expect(looks).to.deep.equal([
        [104, 100],
        [108, 100],
        [112, 100],
      ]);
    }),
  );

  it(
    'should not ask extend() when a sign of life came in time',
    marbles((m) => {
      let asked = 0;
      const source = m.cold('o 11ms f 10ms |');
      const output = source.pipe(heartbeat({ interval: 10, timeout: 4, ping: () => undefined, extend: () => ++asked, scheduler: m.scheduler }));
      m.expect(output).toBeObservable('o 11ms f 10ms |');
      m.flush();
      // f at 12 answers the ping of 10; the deadline of the ping of 20 (24) comes after the completion at 23.
      expect(asked).to.equal(0);
    }),
  );

  it(
    'should error with what extend() throws',
    marbles((m) => {
      const boom = new Error('boom');
      const source = m.cold('o');
      const output = source.pipe(
        heartbeat({
          interval: 10,
          timeout: 4,
          ping: () => undefined,
          extend: () => {
            throw boom;
          },
          scheduler: m.scheduler,
        }),
      );
      m.expect(output).toBeObservable('o 13ms #', undefined, boom);
    }),
  );

  it(
    'should stop a createHeartbeat() whose extend() throws without onError, and not call onTimeout',
    marbles((m) => {
      const timeouts: number[] = [];
      const unhandled: unknown[] = [];
      const timer = createHeartbeat({
        interval: 10,
        timeout: 4,
        scheduler: m.scheduler,
        ping: () => undefined,
        onTimeout: () => timeouts.push(m.scheduler.now()),
        extend: () => {
          throw new Error('boom');
        },
      });
      const previous = rxjsConfig.onUnhandledError;
      rxjsConfig.onUnhandledError = (error) => unhandled.push(error);
      try {
        timer.start();
        m.flush();
      } finally {
        rxjsConfig.onUnhandledError = previous;
      }
      expect(timeouts).to.deep.equal([]);
      expect(timer.running).to.equal(false);
      expect(unhandled).to.have.length(1);
    }),
  );

  it('should name the bad option', () => {
    const base = { interval: 10, timeout: 4, ping: () => undefined, onTimeout: () => undefined };
    const scheduler = { now: () => 0, schedule: () => ({ unsubscribe: () => undefined }) } as never;
    expect(() => createHeartbeat({ ...base, scheduler, interval: -5 })).to.throw(InvalidOptionsError, /interval/);
    expect(() => createHeartbeat({ ...base, scheduler, timeout: 0 })).to.throw(InvalidOptionsError, /timeout/);
    expect(() => createHeartbeat({ ...base, scheduler, onTimeout: undefined as never })).to.throw(InvalidOptionsError, /onTimeout/);
    expect(() => createHeartbeat({ ...base, scheduler: undefined as never })).to.throw(InvalidOptionsError, /scheduler/);
    expect(() => createHeartbeat({ ...base, scheduler, extend: 5 as never })).to.throw(InvalidOptionsError, /extend/);
  });
});

describe('createHeartbeat sharing one timer', () => {
  it(
    'should ping each timer exactly interval after its own start, and time out each on its own',
    marbles((m) => {
      const pings: Array<[string, number]> = [];
      const timeouts: Array<[string, number]> = [];
      const make = (name: string): HeartbeatTimer =>
        createHeartbeat({
          interval: 10,
          timeout: 4,
          scheduler: m.scheduler,
          ping: () => pings.push([name, m.scheduler.now()]),
          onTimeout: () => timeouts.push([name, m.scheduler.now()]),
        });
      const a = make('a');
      const b = make('b');
      const c = make('c');
      m.scheduler.schedule(() => a.start(), 0);
      m.scheduler.schedule(() => b.start(), 3);
      m.scheduler.schedule(() => c.start(), 7);
      // a answers its pings, b never does, c stops before its first ping.
      m.scheduler.schedule(() => a.alive(), 12);
      m.scheduler.schedule(() => c.stop(), 15);
      m.scheduler.schedule(() => a.stop(), 25);
      m.flush();
      expect(pings).to.deep.equal([
        ['a', 10],
        ['b', 13],
        ['a', 20],
      ]);
      expect(timeouts).to.deep.equal([
        ['b', 17],
        ['a', 24],
      ]);
    }),
  );
});
