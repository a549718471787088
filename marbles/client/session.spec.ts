import { expect } from 'chai';
import { merge, Subject, type SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { SocketEvent } from '../../src/client/events';
import type { SocketState } from '../../src/client/state';
import { SocketClosedError } from '../../src/errors';
import { jsonTopics } from '../../src/protocols/json-topics';
import { TestScript, TestTransport } from '../../src/testing/test-transport';
import type { Transport } from '../../src/transport/transport';
import { plainSocket } from './socket-support';

type Msg = Record<string, unknown>;

function setup(scheduler: SchedulerLike, script: TestScript, options: ConnectOptions<Msg, Msg> = {}) {
  const { transport, socket } = plainSocket<Msg>(scheduler, script, options);
  const states: Array<[number, SocketState]> = [];
  socket.state$.subscribe((state) => states.push([scheduler.now(), state]));
  const events: SocketEvent[] = [];
  socket.events$.subscribe((event) => events.push(event));
  return { transport, socket, states, events };
}

const statuses = (states: Array<[number, SocketState]>) => states.map(([t, s]) => [t, s.status]);

describe('the session: a requested close', () => {
  it(
    'should not reconnect when the connection drops during the closing handshake, and end closed as asked',
    marbles((m) => {
      const { transport, socket, states, events } = setup(m.scheduler, (s) => s.open({ after: 1 }).slowClose().drop({ after: 20 }));
      m.scheduler.schedule(() => socket.close(), 10);
      m.flush();
      expect(transport.sockets).to.have.length(1);
      expect(events.filter((e) => e.type === 'reconnect-scheduled')).to.deep.equal([]);
      expect(statuses(states)).to.deep.equal([
        [0, 'connecting'],
        [1, 'open'],
        [10, 'closing'],
        [20, 'closed'],
      ]);
      expect(socket.state).to.include({ requested: true, gaveUp: false });
    }),
  );

  it(
    'should show the code and reason asked for while closing, and write them in the close frame',
    marbles((m) => {
      const { transport, socket, states } = setup(m.scheduler, (s) => s.open({ after: 1 }).slowClose(5));
      m.scheduler.schedule(() => socket.close(4000, 'bye'), 10);
      m.scheduler.schedule(() => socket.close(4001, 'again'), 12); // a second close() changes nothing
      m.flush();
      expect(states.map(([, s]) => s).filter((s) => s.status === 'closing')).to.deep.equal([{ status: 'closing', code: 4000, reason: 'bye' }]);
      expect(transport.sockets[0]!.written.filter((w) => w.frame.type === 'close').map((w) => [w.time, w.frame])).to.deep.equal([
        [10, { type: 'close', code: 4000, reason: 'bye' }],
      ]);
      expect(socket.state).to.include({ status: 'closed', code: 4000, reason: 'bye', requested: true });
      expect(states[states.length - 1]![0]).to.equal(15);
    }),
  );

  it(
    'should write a close frame without a reason when none is given',
    marbles((m) => {
      const { transport, socket } = setup(m.scheduler, (s) => s.open({ after: 1 }));
      m.scheduler.schedule(() => socket.close(4000), 10);
      m.flush();
      expect(transport.sockets[0]!.written.filter((w) => w.frame.type === 'close').map((w) => w.frame)).to.deep.equal([{ type: 'close', code: 4000 }]);
    }),
  );

  it(
    'should close with a closing handshake when close() comes while authentication waits for its answer',
    marbles((m) => {
      // The server never answers the auth message.
      const { transport, socket, states } = setup(m.scheduler, (s) => s.open({ after: 1 }), { protocol: jsonTopics(), auth: () => ({ type: 'auth' }) });
      m.scheduler.schedule(() => socket.close(4000, 'bye'), 10);
      m.flush();
      expect(transport.sockets[0]!.written.filter((w) => w.frame.type === 'close').map((w) => w.frame)).to.deep.equal([{ type: 'close', code: 4000, reason: 'bye' }]);
      expect(statuses(states)).to.deep.equal([
        [0, 'connecting'],
        [10, 'closing'],
        [10, 'closed'],
      ]);
      expect(socket.state).to.include({ code: 4000, wasClean: true, requested: true });
    }),
  );
  it(
    'should end at once, with no closing handshake, when close() comes while a reconnect is still dialling',
    marbles((m) => {
      const { transport, socket, states } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).drop({ after: 10 }) : s.open({ after: 50 })));
      m.scheduler.schedule(() => socket.close(4000, 'bye'), 40); // the second socket dials from 30 to 80
      m.flush();
      expect(transport.sockets).to.have.length(2);
      expect(transport.sockets[1]!.written.filter((w) => w.frame.type === 'close')).to.deep.equal([]);
      expect(statuses(states).slice(-2)).to.deep.equal([
        [40, 'closing'],
        [40, 'closed'],
      ]);
      expect(socket.state).to.include({ code: 4000, reason: 'bye', requested: true });
    }),
  );
});

describe('the session: a fault during a requested close', () => {
  it(
    'should end closed as asked, and not reconnect whatever the policy says, when the transport fails during the closing handshake',
    marbles((m) => {
      const inner = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open({ after: 1 }).slowClose() });
      // The transport's events fail while the close handshake waits (a transport fault, such as a reset connection).
      const faults = new Subject<never>();
      const faulty: Transport = {
        name: inner.name,
        capabilities: inner.capabilities,
        open: (request) => {
          const conn = inner.open(request);
          const events = merge(conn.events, faults);
          return new Proxy(conn, { get: (target, key) => (key === 'events' ? events : Reflect.get(target, key, target)) });
        },
      };
      // The policy would reconnect after any error: only the close asked for stops it.
      const { socket, states, events } = setup(m.scheduler, () => undefined, { transport: faulty, reconnect: { backoff: constantBackoff(20), shouldReconnect: () => true } });
      m.scheduler.schedule(() => socket.close(4000, 'bye'), 10);
      m.scheduler.schedule(() => faults.error(new Error('connection reset')), 20);
      m.flush();
      expect(inner.sockets).to.have.length(1);
      expect(events.filter((e) => e.type === 'reconnect-scheduled')).to.deep.equal([]);
      expect(statuses(states).slice(-2)).to.deep.equal([
        [10, 'closing'],
        [20, 'closed'],
      ]);
      expect(socket.state).to.include({ code: 4000, reason: 'bye', requested: true, gaveUp: false });
    }),
  );
});

describe('the session: giving up', () => {
  it(
    'should give up with the error of a transport whose open() throws when reconnect is off',
    marbles((m) => {
      const fault = new Error('no sockets today');
      const broken: Transport = {
        name: 'broken',
        capabilities: { ping: true, headers: true },
        open: () => {
          throw fault;
        },
      };
      const { socket } = setup(m.scheduler, () => undefined, { transport: broken, reconnect: false });
      m.flush();
      expect(socket.state).to.include({ status: 'closed', gaveUp: true, requested: false, error: fault });
    }),
  );

  it(
    'should give up and report the callback error when reconnect.shouldReconnect throws',
    marbles((m) => {
      const thrown = new Error('bad policy');
      const { transport, socket, events } = setup(m.scheduler, (s) => s.open({ after: 1 }).drop({ after: 10 }), {
        reconnect: {
          backoff: constantBackoff(20),
          shouldReconnect: () => {
            throw thrown;
          },
        },
      });
      m.flush();
      expect(transport.sockets).to.have.length(1);
      expect(events.filter((e) => e.type === 'callback-error').map((e) => [(e as { source: string }).source, (e as { error: unknown }).error])).to.deep.equal([
        ['reconnect.shouldReconnect', thrown],
      ]);
      expect(socket.state).to.include({ status: 'closed', gaveUp: true });
    }),
  );

  it(
    'should refuse a send from a dropped message\'s receipt while the socket gives up',
    marbles((m) => {
      const { socket } = setup(m.scheduler, (s) => s.refuse({ after: 1 }), { reconnect: false });
      const thrown: unknown[] = [];
      socket.sendWithReceipt({ n: 1 }).subscribe({
        error: () => {
          try {
            socket.send({ n: 2 });
          } catch (error) {
            thrown.push(error);
          }
        },
      });
      m.flush();
      expect(thrown).to.have.length(1);
      expect(thrown[0]).to.be.instanceOf(SocketClosedError);
    }),
  );

  it(
    'should say why it gave up when the socket is used afterwards',
    marbles((m) => {
      const { socket } = setup(m.scheduler, (s) => s.refuse({ after: 1 }), { reconnect: false });
      m.flush();
      expect(() => socket.send({ n: 1 }))
        .to.throw(SocketClosedError)
        .with.property('message')
        .that.matches(/send\(\).*it gave up: .+/);
    }),
  );
});

describe('the session: what each attempt asks the transport for', () => {
  it(
    'should ask for the protocols again on every attempt when they are a function',
    marbles((m) => {
      let calls = 0;
      const { transport, socket } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).drop({ after: 10 }) : s.open({ after: 1 })), {
        protocols: () => [`v${++calls}`],
      });
      m.scheduler.schedule(() => socket.close(), 100);
      m.flush();
      expect(transport.requests.map((r) => r.protocols)).to.deep.equal([['v1'], ['v2']]);
    }),
  );

  it(
    'should offer a single protocol given as a string as a list of one, and no protocols or headers when none are set',
    marbles((m) => {
      const one = setup(m.scheduler, (s) => s.open({ after: 1 }), { protocols: 'v1' });
      const none = setup(m.scheduler, (s) => s.open({ after: 1 }));
      m.scheduler.schedule(() => one.socket.close(), 10);
      m.scheduler.schedule(() => none.socket.close(), 10);
      m.flush();
      expect(one.transport.requests[0]!.protocols).to.deep.equal(['v1']);
      expect(none.transport.requests[0]).to.not.have.property('protocols');
      expect(none.transport.requests[0]).to.not.have.property('headers');
    }),
  );
});

describe('the session: retryNow()', () => {
  it(
    'should return false once the reconnect wait it could have ended is over',
    marbles((m) => {
      const { socket } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).drop({ after: 10 }) : s.open({ after: 1 })));
      const answers: Array<[number, boolean]> = [];
      for (const at of [5, 15, 50]) m.scheduler.schedule(() => answers.push([at, socket.retryNow()]), at);
      m.scheduler.schedule(() => socket.close(), 100);
      m.flush();
      // At 15 a wait runs (ended then: the next socket opens at 16); at 5 and 50 the socket is open.
      expect(answers).to.deep.equal([
        [5, false],
        [15, true],
        [50, false],
      ]);
    }),
  );
});

describe('the session: consumers of a lazy socket', () => {
  it(
    'should never close a socket that is not lazy when its last consumer leaves',
    marbles((m) => {
      const { socket, transport } = setup(m.scheduler, (s) => s.open({ after: 1 }));
      m.scheduler.schedule(() => socket.messages$.subscribe().unsubscribe(), 10);
      m.scheduler.schedule(() => expect(socket.state.status).to.equal('open'), 500);
      m.scheduler.schedule(() => socket.close(), 600);
      m.flush();
      expect(transport.sockets[0]!.closedAt).to.equal(600);
    }),
  );

  it(
    'should stay connected while one of two consumers remains, and close after the grace period once both left',
    marbles((m) => {
      const { socket, transport } = setup(m.scheduler, (s) => s.open({ after: 1 }), { lazy: { closeDelay: 50 } });
      const a = socket.messages$.subscribe();
      let b = socket.messages$.subscribe();
      m.scheduler.schedule(() => a.unsubscribe(), 10);
      m.scheduler.schedule(() => b.unsubscribe(), 100);
      m.flush();
      expect(transport.sockets).to.have.length(1);
      expect(transport.sockets[0]!.closedAt).to.equal(150);
      expect(socket.state).to.include({ status: 'closed', code: 1000, wasClean: true, requested: true, gaveUp: false });
      b = socket.messages$.subscribe();
      b.unsubscribe();
    }),
  );

  it(
    'should connect again when a consumer arrives while the lazy close handshake runs',
    marbles((m) => {
      const { socket, transport } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).slowClose(20) : s.open({ after: 1 })), { lazy: true });
      const first = socket.messages$.subscribe();
      m.scheduler.schedule(() => first.unsubscribe(), 10);
      m.scheduler.schedule(() => socket.messages$.subscribe(), 15);
      m.scheduler.schedule(() => socket.close(), 100);
      m.flush();
      expect(transport.sockets.map((s) => [s.startedAt, s.closedAt])).to.deep.equal([
        [0, 30],
        [30, 100],
      ]);
    }),
  );

  it(
    'should let the lazy close handshake finish when a consumer comes and goes while it runs',
    marbles((m) => {
      const { socket, transport } = setup(m.scheduler, (s) => s.open({ after: 1 }).slowClose(30), { lazy: true });
      const first = socket.messages$.subscribe();
      m.scheduler.schedule(() => first.unsubscribe(), 10);
      m.scheduler.schedule(() => socket.messages$.subscribe().unsubscribe(), 20);
      m.flush();
      expect(transport.sockets.map((s) => [s.closedAt, s.closedBy])).to.deep.equal([[40, 'client']]);
    }),
  );

  it(
    'should keep what is sent once a lazy close has begun for the next connection, not write it to the closing one',
    marbles((m) => {
      const { socket, transport } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).slowClose(20) : s.open({ after: 1 })), { lazy: true });
      let sent = false;
      socket.state$.subscribe((state) => {
        if (state.status !== 'closing' || sent) return;
        sent = true;
        socket.send({ n: 1 });
      });
      const first = socket.messages$.subscribe();
      m.scheduler.schedule(() => first.unsubscribe(), 10);
      m.scheduler.schedule(() => socket.messages$.subscribe(), 50);
      m.scheduler.schedule(() => socket.close(), 100);
      m.flush();
      expect(transport.sockets.map((s) => s.writtenTexts)).to.deep.equal([[], ['{"n":1}']]);
    }),
  );

  it(
    'should let the last consumer of a lazy socket that gave up leave quietly',
    marbles((m) => {
      const { socket } = setup(m.scheduler, (s) => s.refuse({ after: 1 }), { lazy: true, reconnect: false });
      const errors: unknown[] = [];
      socket.messages$.subscribe({ error: (error: unknown) => errors.push(error) });
      m.flush();
      expect(errors).to.have.length(1);
      expect(socket.state).to.include({ status: 'closed', gaveUp: true });
    }),
  );

  it(
    'should end a lazy socket that never connected at once on close(), with the code asked for',
    marbles((m) => {
      const { socket, transport, states } = setup(m.scheduler, (s) => s.open({ after: 1 }), { lazy: true });
      m.scheduler.schedule(() => socket.close(4000, 'never mind'), 10);
      m.flush();
      expect(transport.sockets).to.have.length(0);
      expect(statuses(states)).to.deep.equal([
        [0, 'closed'],
        [10, 'closed'],
      ]);
      expect(socket.state).to.include({ code: 4000, reason: 'never mind', requested: true });
    }),
  );
});
