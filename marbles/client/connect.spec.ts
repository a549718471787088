import { expect } from 'chai';
import { SchedulerLike, map } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { SocketEvent } from '../../src/client/events';
import type { Socket } from '../../src/client/socket';
import type { SocketState } from '../../src/client/state';
import { ConnectionClosedError, ConnectTimeoutError, HeartbeatTimeoutError, InvalidFrameError, SocketClosedError } from '../../src/errors';
import { TestTransport, TestScript } from '../../src/testing/test-transport';

type Scheduler = SchedulerLike;

/** Records every state with the virtual time it was entered. */
function recordStates(socket: Socket<unknown, unknown>, scheduler: Scheduler): Array<[number, string, Partial<SocketState>]> {
  const seen: Array<[number, string, Partial<SocketState>]> = [];
  socket.state$.subscribe((state) => seen.push([scheduler.now(), state.status, state]));
  return seen;
}

function recordEvents(socket: Socket<unknown, unknown>, scheduler: Scheduler, type?: SocketEvent['type']): Array<[number, SocketEvent]> {
  const seen: Array<[number, SocketEvent]> = [];
  socket.events$.subscribe((event) => {
    if (type === undefined || event.type === type) seen.push([scheduler.now(), event]);
  });
  return seen;
}

function setup(m: { scheduler: Scheduler }, script: TestScript, options: Parameters<typeof connect>[1] = {}) {
  const transport = new TestTransport({ scheduler: m.scheduler, script });
  const socket = connect<unknown, unknown>('ws://example.test/feed', {
    transport,
    scheduler: m.scheduler,
    heartbeat: false,
    reconnect: { backoff: constantBackoff(20) },
    ...options,
  });
  return { transport, socket };
}

describe('connect() in virtual time', () => {
  it(
    'should open eagerly at once, before anyone subscribes',
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => s.open({ after: 5 }));
      m.scheduler.schedule(() => socket.close(), 10);
      m.expect(socket.state$.pipe(map((s) => s.status))).toBeObservable('c----o----(xz|)', {
        c: 'connecting',
        o: 'open',
        x: 'closing',
        z: 'closed',
      });
      m.flush();
      expect(transport.sockets.map((s) => s.startedAt)).to.deep.equal([0]);
    }),
  );

  it(
    'should go connecting, open, reconnecting, connecting, open across a drop, with attempt and delay',
    marbles((m) => {
      const { socket } = setup(m, (s, i) => {
        s.open({ after: 5 });
        if (i === 0) s.drop({ after: 15 });
      });
      const states = recordStates(socket, m.scheduler);
      m.scheduler.schedule(() => socket.close(4000, 'done'), 60);
      m.flush();
      expect(states.map(([t, status]) => [t, status])).to.deep.equal([
        [0, 'connecting'],
        [5, 'open'],
        [15, 'reconnecting'],
        [35, 'connecting'],
        [40, 'open'],
        [60, 'closing'],
        [60, 'closed'],
      ]);
      const reconnecting = states[2]![2] as Extract<SocketState, { status: 'reconnecting' }>;
      expect(reconnecting.attempt).to.equal(1);
      expect(reconnecting.delay).to.equal(20);
      expect(reconnecting.error).to.be.instanceOf(ConnectionClosedError);
      expect((states[3]![2] as Extract<SocketState, { status: 'connecting' }>).attempt).to.equal(1);
      expect(states[6]![2]).to.include({ code: 4000, reason: 'done', requested: true, gaveUp: false });
    }),
  );

  it(
    'should flush the outbox in order across a reconnect, before newer messages',
    marbles((m) => {
      const { transport, socket } = setup(m, (s, i) => {
        s.open({ after: 5 });
        if (i === 0) s.drop({ after: 10 });
      });
      m.scheduler.schedule(() => socket.send('a'), 0); // queued: connecting
      m.scheduler.schedule(() => socket.send('b'), 7); // written: open
      m.scheduler.schedule(() => socket.send('c'), 12); // queued: reconnecting
      m.scheduler.schedule(() => socket.send('d'), 20);
      socket.state$.subscribe((s) => {
        if (s.status === 'open' && m.scheduler.now() === 35) socket.send('e'); // after the flush
      });
      m.scheduler.schedule(() => socket.close(), 50);
      m.flush();
      const texts = transport.written.filter((w) => w.frame.type === 'text').map((w) => [w.time, (w.frame as { data: string }).data]);
      expect(texts).to.deep.equal([
        [5, '"a"'],
        [7, '"b"'],
        [35, '"c"'],
        [35, '"d"'],
        [35, '"e"'],
      ]);
    }),
  );

  it(
    'should report a queued message dropped when its ttl expires, and never write it',
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => s.open({ after: 30 }));
      const dropped = recordEvents(socket, m.scheduler, 'dropped');
      m.scheduler.schedule(() => socket.send('old', { ttl: 10 }), 2);
      m.scheduler.schedule(() => socket.send('kept'), 3);
      m.scheduler.schedule(() => socket.close(), 40);
      m.flush();
      expect(dropped.map(([t, e]) => [t, e.type === 'dropped' && e.reason, e.type === 'dropped' && e.message])).to.deep.equal([
        [12, 'expired', 'old'],
      ]);
      expect(transport.last!.writtenTexts).to.deep.equal(['"kept"']);
    }),
  );

  it(
    "should throw OutboxFullError with overflow 'error' and keep what it had",
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => s.open({ after: 10 }), { outbox: { maxMessages: 2 } });
      m.scheduler.schedule(() => {
        socket.send(1);
        socket.send(2);
        expect(() => socket.send(3)).to.throw().with.property('code', 'RXNOVA_ERR_OUTBOX_FULL');
      }, 1);
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(transport.last!.writtenTexts).to.deep.equal(['1', '2']);
    }),
  );

  it(
    "should drop the oldest with overflow 'drop-oldest', reporting each",
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => s.open({ after: 10 }), { outbox: { maxMessages: 2, overflow: 'drop-oldest' } });
      const dropped = recordEvents(socket, m.scheduler, 'dropped');
      m.scheduler.schedule(() => [1, 2, 3, 4].forEach((n) => socket.send(n)), 1);
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(transport.last!.writtenTexts).to.deep.equal(['3', '4']);
      expect(dropped.map(([t, e]) => [t, e.type === 'dropped' && e.reason, e.type === 'dropped' && e.message])).to.deep.equal([
        [1, 'overflow', 1],
        [1, 'overflow', 2],
      ]);
    }),
  );

  it(
    "should drop the new message with overflow 'drop-newest', reporting it",
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => s.open({ after: 10 }), { outbox: { maxMessages: 2, overflow: 'drop-newest' } });
      const dropped = recordEvents(socket, m.scheduler, 'dropped');
      m.scheduler.schedule(() => [1, 2, 3, 4].forEach((n) => socket.send(n)), 1);
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(transport.last!.writtenTexts).to.deep.equal(['1', '2']);
      expect(dropped.map(([, e]) => e.type === 'dropped' && e.message)).to.deep.equal([3, 4]);
    }),
  );

  it(
    'should report messages still queued at close() as dropped with reason closed',
    marbles((m) => {
      const { socket } = setup(m, (s) => s.refuse({ after: 1 }));
      const dropped = recordEvents(socket, m.scheduler, 'dropped');
      m.scheduler.schedule(() => socket.send('x'), 2);
      m.scheduler.schedule(() => socket.close(), 5);
      m.flush();
      expect(dropped.map(([t, e]) => [t, e.type === 'dropped' && e.reason])).to.deep.equal([[5, 'closed']]);
    }),
  );

  it(
    'should terminate a silent socket at interval plus timeout with HeartbeatTimeoutError, and reconnect',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s, i) => {
          s.open({ after: 0 });
          if (i === 0) s.silent({ after: 1 });
        },
        { heartbeat: { interval: 100, timeout: 30 } },
      );
      const states = recordStates(socket, m.scheduler);
      const rtts = recordEvents(socket, m.scheduler, 'rtt');
      m.scheduler.schedule(() => socket.close(), 300);
      m.flush();
      const reconnecting = states.find(([, status]) => status === 'reconnecting')!;
      expect(reconnecting[0]).to.equal(130);
      expect((reconnecting[2] as { error: unknown }).error).to.be.instanceOf(HeartbeatTimeoutError);
      expect(transport.sockets[0]!.closedAt).to.equal(130);
      expect(transport.sockets[1]!.startedAt).to.equal(150);
      // The second socket answers pings: its round trips are reported.
      expect(rtts.map(([t]) => t)).to.deep.equal([250]);
      expect(transport.sockets[1]!.written.filter((w) => w.frame.type === 'ping').map((w) => w.time)).to.deep.equal([250]);
    }),
  );

  it(
    'should fail an attempt that does not open within connectTimeout, and retry it',
    marbles((m) => {
      const { transport, socket } = setup(m, (s, i) => (i === 0 ? undefined : s.open({ after: 5 })), { connectTimeout: 50 });
      const states = recordStates(socket, m.scheduler);
      m.scheduler.schedule(() => socket.close(), 100);
      m.flush();
      expect(states.map(([t, status]) => [t, status]).slice(0, 4)).to.deep.equal([
        [0, 'connecting'],
        [50, 'reconnecting'],
        [70, 'connecting'],
        [75, 'open'],
      ]);
      expect((states[1]![2] as { error: unknown }).error).to.be.instanceOf(ConnectTimeoutError);
      expect(transport.sockets.length).to.equal(2);
    }),
  );

  it(
    'should open lazily on the first subscriber and close after the last one leaves',
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => s.open({ after: 5 }), { lazy: true });
      const states = recordStates(socket, m.scheduler);
      let first: { unsubscribe(): void } | undefined;
      let second: { unsubscribe(): void } | undefined;
      m.scheduler.schedule(() => (first = socket.messages$.subscribe()), 10);
      m.scheduler.schedule(() => (second = socket.messages$.subscribe()), 20);
      m.scheduler.schedule(() => first!.unsubscribe(), 30);
      m.scheduler.schedule(() => second!.unsubscribe(), 40);
      m.scheduler.schedule(() => socket.messages$.subscribe(), 60);
      m.scheduler.schedule(() => socket.close(), 80);
      m.flush();
      expect(states.map(([t, status]) => [t, status])).to.deep.equal([
        [0, 'closed'],
        [10, 'connecting'],
        [15, 'open'],
        [40, 'closing'],
        [40, 'closed'],
        [60, 'connecting'],
        [65, 'open'],
        [80, 'closing'],
        [80, 'closed'],
      ]);
      expect(transport.sockets.map((s) => [s.startedAt, s.closedAt, s.closedBy])).to.deep.equal([
        [10, 40, 'client'],
        [60, 80, 'client'],
      ]);
    }),
  );

  it(
    'should cancel the pending reconnect when close() is called during a backoff wait',
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => s.refuse({ after: 1 }));
      const states = recordStates(socket, m.scheduler);
      let completedAt = -1;
      socket.messages$.subscribe({ complete: () => (completedAt = m.scheduler.now()) });
      m.scheduler.schedule(() => socket.close(), 10);
      m.flush();
      expect(states.map(([t, status]) => [t, status])).to.deep.equal([
        [0, 'connecting'],
        [1, 'reconnecting'],
        [10, 'closing'],
        [10, 'closed'],
      ]);
      expect(transport.sockets.length).to.equal(1);
      expect(completedAt).to.equal(10);
    }),
  );

  it(
    'should call a url function once per attempt',
    marbles((m) => {
      let calls = 0;
      const transport = new TestTransport({
        scheduler: m.scheduler,
        script: (s, i) => (i < 2 ? s.refuse({ after: 1 }) : s.open({ after: 1 })),
      });
      const socket = connect(() => `ws://example.test/feed?n=${++calls}`, {
        transport,
        scheduler: m.scheduler,
        heartbeat: false,
        reconnect: { backoff: constantBackoff(10) },
      });
      m.scheduler.schedule(() => socket.close(), 50);
      m.flush();
      expect(calls).to.equal(3);
      expect(transport.sockets.map((s) => s.url)).to.deep.equal([
        'ws://example.test/feed?n=1',
        'ws://example.test/feed?n=2',
        'ws://example.test/feed?n=3',
      ]);
    }),
  );

  it(
    'should give up on a stop code: closed with gaveUp and the error, messages$ errors',
    marbles((m) => {
      const { socket } = setup(m, (s) => s.open({ after: 1 }).close(1008, 'policy', { after: 4 }));
      const states = recordStates(socket, m.scheduler);
      m.expect(socket.messages$).toBeObservable('----#', undefined, new ConnectionClosedError(1008, 'policy', true));
      m.flush();
      const last = states[states.length - 1]!;
      expect(last[1]).to.equal('closed');
      expect(last[2]).to.include({ code: 1008, reason: 'policy', requested: false, gaveUp: true });
    }),
  );

  it(
    'should deliver decoded messages and skip a frame that fails to decode, reporting it',
    marbles((m) => {
      const { socket } = setup(m, (s) => s.open({ after: 1 }).play('--a-b-c', { a: '{"n":1}', b: 'not json', c: '{"n":2}' }));
      const errors = recordEvents(socket, m.scheduler, 'decode-error');
      m.scheduler.schedule(() => socket.close(), 10);
      m.expect(socket.messages$).toBeObservable('--a---c---|', { a: { n: 1 }, c: { n: 2 } });
      m.flush();
      expect(errors.map(([t, e]) => [t, e.type === 'decode-error' && e.error.code])).to.deep.equal([[4, 'RXNOVA_ERR_CODEC']]);
    }),
  );

  it(
    'should validate close() arguments and refuse send() after close()',
    marbles((m) => {
      const { socket } = setup(m, (s) => s.open({ after: 1 }));
      m.scheduler.schedule(() => {
        expect(() => socket.close(1006)).to.throw(InvalidFrameError);
        expect(() => socket.close(1000, 'x'.repeat(124))).to.throw(InvalidFrameError);
        socket.close();
        expect(() => socket.send('late')).to.throw(SocketClosedError);
      }, 5);
      m.flush();
      expect(socket.state.status).to.equal('closed');
    }),
  );

  it(
    'should go reconnecting after a drop and open again 20 ms later (the README example)',
    marbles((m) => {
      const transport = new TestTransport({
        scheduler: m.scheduler,
        script: (s, i) => {
          s.open({ after: 5 });
          if (i === 0) s.drop({ after: 15 });
        },
      });
      const socket = connect('ws://example.test/feed', {
        transport,
        scheduler: m.scheduler,
        heartbeat: false,
        reconnect: { backoff: constantBackoff(20) },
      });
      m.scheduler.schedule(() => socket.close(), 50);
      m.expect(socket.state$.pipe(map((s) => s.status[0]))).toBeObservable('c----o---------r-------------------c----o---------(cc|)');
    }),
  );

  it(
    'should reconnect at once with a zero backoff, on the same transport connection, and keep writing to the new socket',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s, i) => {
          s.open({ after: 2 });
          if (i === 0) s.drop({ after: 5 });
        },
        { reconnect: { backoff: constantBackoff(0) } },
      );
      const states = recordStates(socket, m.scheduler);
      m.scheduler.schedule(() => socket.send('after'), 10);
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(states.map(([t, status]) => [t, status])).to.deep.equal([
        [0, 'connecting'],
        [2, 'open'],
        [5, 'reconnecting'],
        [5, 'connecting'],
        [7, 'open'],
        [20, 'closing'],
        [20, 'closed'],
      ]);
      expect(transport.connections.length).to.equal(1);
      expect(transport.sockets.map((s) => s.startedAt)).to.deep.equal([0, 5]);
      expect(transport.sockets[1]!.writtenTexts).to.deep.equal(['"after"']);
    }),
  );
});
