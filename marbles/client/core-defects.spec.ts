import { expect } from 'chai';
import { from, SchedulerLike, Subject, Subscription, switchMap, throwError, VirtualTimeScheduler } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import { tokenBucket } from '../../src/client/rate-limit';
import { defineProtocol } from '../../src/client/define-protocol';
import type { SocketEvent } from '../../src/client/events';
import type { Socket } from '../../src/client/socket';
import { InvalidOptionsError, OutboxFullError } from '../../src/errors';
import { JsonTopicsMessage, jsonTopics } from '../../src/protocols/json-topics';
import { TestScript, TestTransport } from '../../src/testing/test-transport';
import { plainSocket } from './socket-support';

type Msg = JsonTopicsMessage;

function setup(scheduler: SchedulerLike, script: TestScript, options: ConnectOptions<Msg, Msg> = {}) {
  const { transport, socket } = plainSocket<Msg>(scheduler, script, options);
  return { transport, socket };
}

/** [time, what] of every text frame written, `what` being the message's type and topic, or its `n`. */
function wire(transport: TestTransport): Array<[number, string]> {
  return transport.written
    .filter((w) => w.frame.type === 'text')
    .map((w) => {
      const message = JSON.parse((w.frame as { data: string }).data) as Msg;
      return [w.time, message['type'] === undefined ? `n${String(message['n'])}` : `${String(message['type'])} ${String(message['topic'])}`];
    });
}

function record(socket: Socket<Msg, Msg>): SocketEvent[] {
  const seen: SocketEvent[] = [];
  socket.events$.subscribe((e) => seen.push(e));
  return seen;
}

describe('the client core (regressions)', () => {
  it(
    'should write channel subscribes waiting for rate-limit tokens before a send() that finds a free token',
    marbles((m) => {
      // capacity 1, 1 token/s: the second subscribe waits for the token of t=1000, and the send() made then waits behind it
      // (the send is scheduled first, so at t=1000 it runs before the rate-limit wait ends).
      const { transport, socket } = setup(m.scheduler, (s) => s.open({ after: 1 }), { protocol: jsonTopics(), rateLimit: tokenBucket({ capacity: 1, refillPerSecond: 1 }) });
      m.scheduler.schedule(() => socket.send({ n: 1 }), 1001);
      socket.channel('A').subscribe();
      socket.channel('B').subscribe();
      m.scheduler.schedule(() => socket.close(), 3000);
      m.flush();
      expect(wire(transport)).to.deep.equal([
        [1, 'subscribe A'],
        [1001, 'subscribe B'],
        [2001, 'n1'],
      ]);
    }),
  );

  it('should write or report every queued message when the clock moves between reads (no silent loss in the drain)', () => {
    // A clock that advances 1 ms each time it is read, as a real clock may between two reads in one drain; TTLs
    // around the time of the open, so that heads expire while the drain runs.
    for (let ttl = 5; ttl <= 60; ttl++) {
      const base = new VirtualTimeScheduler();
      let drift = 0;
      const clock: SchedulerLike = { now: () => base.now() + drift++, schedule: base.schedule.bind(base) as SchedulerLike['schedule'] };
      const { transport, socket } = setup(clock, (s) => s.open({ after: 1 }), { outbox: { ttl } });
      const events = record(socket);
      for (let n = 0; n < 30; n++) socket.send({ n });
      base.maxFrames = 100;
      base.flush();
      const written = wire(transport).map(([, what]) => what);
      const dropped = events.filter((e) => e.type === 'dropped').map((e) => `n${String((e as { message: Msg }).message['n'])}`);
      expect(written.filter((w) => dropped.includes(w)), `ttl ${ttl}: written and also reported dropped`).to.deep.equal([]);
      expect(written.length + dropped.length, `ttl ${ttl}: written ${written.length}, dropped ${dropped.length}`).to.equal(30);
      socket.close();
    }
  });

  it('should leave no timer behind after close(), however many channels waited for an acknowledgement', () => {
    const scheduler = new VirtualTimeScheduler();
    scheduler.maxFrames = 1000;
    // The server opens and answers nothing: each subscribe's acknowledgement is awaited (30 s by default).
    const { socket } = setup(scheduler, (s) => s.open({ after: 1 }), { protocol: jsonTopics(), reconnect: { backoff: constantBackoff(20) } });
    for (const topic of ['a', 'b', 'c']) socket.channel(topic).subscribe({ error: () => undefined });
    scheduler.flush();
    expect(socket.state.status).to.equal('open');
    socket.close();
    scheduler.flush();
    expect(socket.state.status).to.equal('closed');
    expect(scheduler.actions.length, 'actions still scheduled').to.equal(0);
  });

  it('should not add acknowledgement timers per channel per reconnect', () => {
    const scheduler = new VirtualTimeScheduler();
    scheduler.maxFrames = 1000;
    // Every connection opens, then drops 100 ms later: five reconnects within the first second.
    const { socket } = setup(scheduler, (s) => s.open({ after: 1 }).drop({ after: 100 }), { protocol: jsonTopics(), reconnect: { backoff: constantBackoff(20) } });
    for (const topic of ['a', 'b', 'c']) socket.channel(topic).subscribe({ error: () => undefined });
    scheduler.flush();
    // At most: the current connection's three acknowledgement timers, its scripted drop, and a reconnect or handshake timer.
    expect(scheduler.actions.length).to.be.at.most(6);
    socket.close();
    scheduler.maxFrames = Infinity;
    scheduler.flush();
    expect(scheduler.actions.length).to.equal(0);
  });

  it(
    'should report an adapter function that throws on the inbound path, skip that message, and stay open',
    marbles((m) => {
      const protocol = defineProtocol<Msg, Msg>({
        withId: (message, id) => ({ ...message, id }),
        idOf: (message) => {
          if (message['boom'] === true) throw new Error('idOf failed');
          return typeof message['id'] === 'number' ? message['id'] : undefined;
        },
      });
      const { socket } = setup(
        m.scheduler,
        (s) => s.open().receive(JSON.stringify({ boom: true }), { after: 5 }).receive(JSON.stringify({ n: 2 }), { after: 10 }),
        { protocol },
      );
      const events = record(socket);
      const messages: Msg[] = [];
      socket.messages$.subscribe((message) => messages.push(message));
      // A request in flight: inbound messages are now asked for their id.
      socket.request<Msg>({ type: 'get' }).subscribe({ error: () => undefined });
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      const failure = events.find((e) => e.type === 'callback-error') as { source: string; error: Error } | undefined;
      expect(failure?.source).to.equal('protocol.idOf');
      expect(failure?.error.message).to.equal('idOf failed');
      expect(messages).to.deep.equal([{ n: 2 }]);
      expect(events.filter((e) => e.type === 'closed').map((e) => (e as { initiator: string }).initiator)).to.deep.equal(['client']);
    }),
  );

  it(
    'should report a piped source that errors, and a piped value the outbox refuses, without throwing into the source',
    marbles((m) => {
      const { socket } = setup(m.scheduler, (s) => s.open({ after: 100 }), { outbox: { maxMessages: 1 } });
      const events = record(socket);
      expect(() => from([{ n: 1 }, { n: 2 }, { n: 3 }]).subscribe(socket)).not.to.throw();
      expect(() => throwError(() => new Error('upstream failed')).subscribe(socket)).not.to.throw();
      m.scheduler.schedule(() => socket.close(), 200);
      m.flush();
      const refused = events.filter((e) => e.type === 'dropped' && e.reason === 'refused') as Array<{ message: Msg; error: unknown }>;
      expect(refused.map((e) => e.message)).to.deep.equal([{ n: 2 }, { n: 3 }]);
      expect(refused[0]!.error).to.be.instanceOf(OutboxFullError);
      const failed = events.find((e) => e.type === 'source-error') as { error: Error } | undefined;
      expect(failed?.error.message).to.equal('upstream failed');
    }),
  );

  it('should refuse an invalid onAttempt in connect() at once, as reconnect() does', () => {
    const transport = new TestTransport({ script: (s) => s.open() });
    expect(() => connect('ws://example.test', { transport, reconnect: { onAttempt: 42 as unknown as () => void } })).to.throw(
      InvalidOptionsError,
      /onAttempt must be a function or an Observer/,
    );
  });

  it(
    'should report an onAttempt that throws and go on reconnecting',
    marbles((m) => {
      const { transport, socket } = setup(m.scheduler, (s, i) => (i === 0 ? s.open().drop({ after: 5 }) : s.open()), {
        reconnect: {
          backoff: constantBackoff(10),
          onAttempt: () => {
            throw new Error('listener failed');
          },
        },
      });
      const events = record(socket);
      m.scheduler.schedule(() => socket.close(), 50);
      m.flush();
      expect(transport.connections[0]!.sockets.length + transport.connections.length - 1).to.equal(2);
      expect((events.find((e) => e.type === 'callback-error') as { source: string } | undefined)?.source).to.equal('reconnect.onAttempt');
    }),
  );

  it(
    'should keep a lazy connection when switchMap moves from one channel to the next',
    marbles((m) => {
      const { transport, socket } = setup(m.scheduler, (s) => s.open(), { protocol: jsonTopics(), lazy: true });
      const topics = new Subject<string>();
      const subscription = topics.pipe(switchMap((topic) => socket.channel(topic))).subscribe();
      m.scheduler.schedule(() => topics.next('a'), 5);
      m.scheduler.schedule(() => topics.next('b'), 10);
      m.scheduler.schedule(() => topics.next('c'), 15);
      m.scheduler.schedule(() => subscription.unsubscribe(), 20);
      m.flush();
      expect(transport.sockets.length).to.equal(1);
      expect(wire(transport)).to.deep.equal([
        [5, 'subscribe a'],
        [10, 'unsubscribe a'],
        [10, 'subscribe b'],
        [15, 'unsubscribe b'],
        [15, 'subscribe c'],
        [20, 'unsubscribe c'],
      ]);
      expect(socket.state.status).to.equal('closed');
    }),
  );

  it(
    'should keep a lazy connection through a grace period and close it when the period passes with no consumer',
    marbles((m) => {
      const { transport, socket } = setup(m.scheduler, (s) => s.open(), { lazy: { closeDelay: 50 } });
      const statuses: Array<[number, string]> = [];
      socket.state$.subscribe((s) => statuses.push([m.scheduler.now(), s.status]));
      let first: Subscription | undefined;
      let second: Subscription | undefined;
      m.scheduler.schedule(() => (first = socket.messages$.subscribe()), 0);
      m.scheduler.schedule(() => first!.unsubscribe(), 10);
      m.scheduler.schedule(() => (second = socket.messages$.subscribe()), 40);
      m.scheduler.schedule(() => second!.unsubscribe(), 60);
      m.flush();
      expect(transport.sockets.length).to.equal(1);
      expect(statuses).to.deep.equal([
        [0, 'closed'],
        [0, 'connecting'],
        [0, 'open'],
        [110, 'closing'],
        [110, 'closed'],
      ]);
    }),
  );

  it(
    'should not let channel churn under a rate limit grow the control lane: a subscribe still waiting cancels out with its unsubscribe',
    marbles((m) => {
      const { transport, socket } = setup(m.scheduler, (s) => s.open(), { protocol: jsonTopics(), rateLimit: tokenBucket({ capacity: 1, refillPerSecond: 1 }) });
      socket.channel('x').subscribe();
      m.scheduler.schedule(() => {
        for (let i = 0; i < 1000; i++) socket.channel('y').subscribe().unsubscribe();
      }, 10);
      m.scheduler.schedule(() => socket.close(), 5000);
      m.flush();
      expect(wire(transport)).to.deep.equal([[0, 'subscribe x']]);
    }),
  );

  it(
    'should keep the close policy floors given to connect(): one normalisation, used as given',
    marbles((m) => {
      const delays = (options: ConnectOptions<Msg, Msg>): number[] => {
        const { socket } = setup(m.scheduler, (s, i) => (i === 0 ? s.open().close(1013, 'overloaded', { after: 5 }) : s.open()), options);
        const seen: number[] = [];
        socket.state$.subscribe((state) => state.status === 'reconnecting' && seen.push(state.delay));
        m.scheduler.schedule(() => socket.close(), 20_000);
        return seen;
      };
      const byDefault = delays({ reconnect: { backoff: constantBackoff(20), random: () => 0 } });
      const custom = delays({ reconnect: { backoff: constantBackoff(20), policy: { floors: { 1013: { min: 100 } } } } });
      m.flush();
      expect(byDefault).to.deep.equal([5000]);
      expect(custom).to.deep.equal([100]);
    }),
  );
});
