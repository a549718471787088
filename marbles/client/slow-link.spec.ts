import { expect } from 'chai';
import type { SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { SocketEvent } from '../../src/client/events';
import type { Socket } from '../../src/client/socket';
import { TestScript, TestTransport } from '../../src/testing/test-transport';
import type { TestSocket } from '../../src/testing/test-socket';

type Msg = { n: number; pad?: string };

/** A heartbeat of 1000 ms + 500 ms and a 20 ms reconnect delay, on a TestTransport driven by `script`. */
function setup(scheduler: SchedulerLike, script: TestScript, options: ConnectOptions<Msg, Msg> = {}) {
  const transport = new TestTransport({ scheduler, script });
  const socket: Socket<Msg, Msg> = connect<Msg, Msg>('ws://example.test/feed', {
    transport,
    scheduler,
    heartbeat: { interval: 1000, timeout: 500 },
    reconnect: { backoff: constantBackoff(20) },
    ...options,
  });
  const events: SocketEvent[] = [];
  /** When the heartbeat declared a connection dead. */
  const timedOutAt: number[] = [];
  socket.events$.subscribe((e) => {
    events.push(e);
    if (e.type === 'heartbeat-timeout') timedOutAt.push(scheduler.now());
  });
  return { transport, socket, events, timedOutAt };
}

/** `n` of every message written to socket `index`, in order. */
function sentOn(transport: TestTransport, index: number): number[] {
  return (transport.sockets[index] as TestSocket).writtenTexts.map((text) => (JSON.parse(text) as Msg).n);
}

/** Drains `from` bytes of a stalled socket by `step` bytes every `every` ms, starting at `at`; the last step releases it. */
function trickle(socket: TestSocket, from: number, step: number, at: number, every: number): TestSocket {
  for (let left = from - step, t = at; left >= 0; left -= step, t += every) {
    if (left === 0) socket.drain({ after: t });
    else socket.setBufferedAmount(left, { after: t });
  }
  return socket;
}

const PAD = 'x'.repeat(990); // with {"n":1,"pad":""} about 1 KB a message

/** At `at`, sends `count` messages of about 1 KB (`{ n, pad }`, 1006 bytes for a one-digit n). */
function burst(scheduler: SchedulerLike, socket: Socket<Msg, Msg>, at: number, count: number): void {
  scheduler.schedule(() => {
    for (let n = 0; n < count; n++) socket.send({ n, pad: PAD });
  }, at);
}

describe('the heartbeat on a slow link', () => {
  it(
    'should not declare a link dead while its buffered data keeps draining, and count the pong once the ping is out',
    marbles((m) => {
      // A peer that answers nothing while 10 KB drain at 1 KB every 300 ms: the ping of t=1001 waits behind them
      // until t=3100; the peer's pong comes at 3200. No deadline may fire in between.
      const { socket, events } = setup(m.scheduler, (s) => {
        s.open({ after: 1 }).silent().stall({ after: 50 });
        trickle(s, 10_000, 1000, 400, 300).receive('{"n":-1}', { after: 3200 });
      });
      burst(m.scheduler, socket, 100, 10);
      m.scheduler.schedule(() => socket.close(), 3300);
      m.flush();
      expect(events.filter((e) => e.type === 'heartbeat-timeout')).to.deep.equal([]);
      expect(events.filter((e) => e.type === 'opened')).to.have.length(1);
    }),
  );

  it(
    'should keep a link whose backlog moves in steps further apart than the timeout, while each comes within stallTimeout',
    marbles((m) => {
      // The operating system takes a slow link's bytes in large steps: here 2 KB every 1500 ms, against a 500 ms
      // timeout and a 2000 ms stallTimeout. The peer answers nothing until everything has drained (t=7600).
      const { socket, events } = setup(
        m.scheduler,
        (s) => {
          s.open({ after: 1 }).silent().stall({ after: 50 });
          trickle(s, 10_000, 2000, 1600, 1500).receive('{"n":-1}', { after: 7600 });
        },
        { heartbeat: { interval: 1000, timeout: 500, stallTimeout: 2000 } },
      );
      burst(m.scheduler, socket, 100, 10);
      m.scheduler.schedule(() => socket.close(), 7700);
      m.flush();
      expect(events.filter((e) => e.type === 'heartbeat-timeout')).to.deep.equal([]);
    }),
  );

  it(
    'should declare a link dead when its backlog has not moved for stallTimeout',
    marbles((m) => {
      const { socket, events, timedOutAt } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).silent().stall({ after: 50 }) : s.open({ after: 1 })), {
        heartbeat: { interval: 1000, timeout: 500, stallTimeout: 2000 },
      });
      burst(m.scheduler, socket, 100, 10);
      m.scheduler.schedule(() => socket.close(), 4000);
      m.flush();
      // The backlog is first seen at the ping of t=1001 and never moves: looks every 500 ms until 1001 + 2000.
      expect(timedOutAt).to.deep.equal([3001]);
      expect(events.filter((e) => e.type === 'opened')).to.have.length(2);
    }),
  );

  it(
    'should give a ping behind a backlog that cleared the time its data needs at 64 kbit, then declare a silent peer dead',
    marbles((m) => {
      // 2 x 1006 bytes wait in the socket until t=1300, and the peer never answers: at 1501 the backlog has cleared,
      // and the ping of 1001 gets what 2012 bytes need at 8 bytes/ms (252 ms): dead at 1001 + 500 + 252.
      const { socket, timedOutAt } = setup(m.scheduler, (s) =>
        s.index === 0 ? trickle(s.open({ after: 1 }).silent().stall({ after: 50 }), 2000, 1000, 1000, 300) : s.open({ after: 1 }),
      );
      burst(m.scheduler, socket, 100, 2);
      m.scheduler.schedule(() => socket.close(), 3000);
      m.flush();
      expect(timedOutAt).to.deep.equal([1753]);
    }),
  );

  it(
    'should give a ping behind data it cannot see queued the time that data needs at 64 kbit (at most stallTimeout)',
    marbles((m) => {
      // 10 x 1006 bytes handed over at t=900 leave the socket at once (the operating system took them): the ping of
      // 1001 may sit behind them, 1258 ms at 8 bytes/ms. Dead at 1001 + 500 + 1258 = 2759.
      const { socket, timedOutAt } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).silent() : s.open({ after: 1 })), {
        heartbeat: { interval: 1000, timeout: 500, stallTimeout: 60_000 },
      });
      burst(m.scheduler, socket, 900, 10);
      m.scheduler.schedule(() => socket.close(), 4000);
      m.flush();
      expect(timedOutAt).to.deep.equal([2759]);
    }),
  );

  it(
    'should count from the last pong: data sent before an answered ping is known to have arrived',
    marbles((m) => {
      // The same 10 KB at t=900, but the ping of 1001 is answered: the ping of 2001 has nothing queued ahead of it,
      // and a silent peer is found at 2001 + 500.
      const { socket, timedOutAt } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).autoPong(false).receive({ type: 'pong' }, { after: 1100 }) : s.open({ after: 1 })), {
        heartbeat: { interval: 1000, timeout: 500, stallTimeout: 60_000 },
      });
      burst(m.scheduler, socket, 900, 10);
      m.scheduler.schedule(() => socket.close(), 4000);
      m.flush();
      expect(timedOutAt).to.deep.equal([2501]);
    }),
  );

  it(
    'should keep the interval + timeout detection of an idle silent peer',
    marbles((m) => {
      const { socket, timedOutAt } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).silent() : s.open({ after: 1 })));
      m.scheduler.schedule(() => socket.close(), 2000);
      m.flush();
      expect(timedOutAt).to.deep.equal([1501]);
    }),
  );
});

describe('messages that never left the process', () => {
  it(
    'should send them again, first and in order, on the next connection',
    marbles((m) => {
      // n0 leaves at once; n1..n3 are held by the stalled link when the connection drops at t=50; n4 waits in the
      // outbox. The next connection (t=71) gets n1..n3, then n4; nothing is reported dropped.
      const { transport, socket, events } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).stall({ after: 10 }).drop({ after: 50 }) : s.open({ after: 1 })), {
        heartbeat: false,
      });
      m.scheduler.schedule(() => socket.send({ n: 0 }), 5);
      m.scheduler.schedule(() => [1, 2, 3].forEach((n) => socket.send({ n })), 20);
      m.scheduler.schedule(() => socket.send({ n: 4 }), 60);
      m.scheduler.schedule(() => socket.close(), 200);
      m.flush();
      expect(sentOn(transport, 0)).to.deep.equal([0, 1, 2, 3]);
      expect(sentOn(transport, 1)).to.deep.equal([1, 2, 3, 4]);
      expect(events.filter((e) => e.type === 'dropped')).to.deep.equal([]);
      expect(events.filter((e) => e.type === 'requeued')).to.deep.equal([{ type: 'requeued', time: 50, count: 3 }]);
    }),
  );

  it(
    'should not send again what a completed closing handshake proves has left',
    marbles((m) => {
      const { transport, socket, events } = setup(m.scheduler, (s) => s.open({ after: 1 }).stall({ after: 10 }), { heartbeat: false });
      m.scheduler.schedule(() => [1, 2].forEach((n) => socket.send({ n })), 20);
      m.scheduler.schedule(() => socket.close(), 50);
      m.flush();
      expect(sentOn(transport, 0)).to.deep.equal([1, 2]);
      expect(transport.sockets).to.have.length(1);
      expect(events.filter((e) => e.type === 'dropped')).to.deep.equal([]);
    }),
  );

  it(
    'should report them dropped (reason closed) when the socket closes before they could be sent again',
    marbles((m) => {
      // The close handshake is never answered: the socket is dropped after the close timeout, n1 and n2 still held.
      const { socket, events } = setup(m.scheduler, (s) => s.open({ after: 1 }).stall({ after: 10 }).slowClose(), {
        heartbeat: false,
        closeTimeout: 100,
      });
      m.scheduler.schedule(() => [1, 2].forEach((n) => socket.send({ n })), 20);
      m.scheduler.schedule(() => socket.close(), 50);
      m.flush();
      const dropped = events.flatMap((e) => (e.type === 'dropped' ? [[(e.message as Msg).n, e.reason]] : []));
      expect(dropped).to.deep.equal([
        [1, 'closed'],
        [2, 'closed'],
      ]);
    }),
  );

  it(
    'should send again a message whose frame was queued by drain() and never left',
    marbles((m) => {
      // n1..n3 wait in the outbox until the open and are written by the drain (not the direct path); the stalled link
      // holds them when it drops.
      const { transport, socket } = setup(m.scheduler, (s) => (s.index === 0 ? s.stall({ after: 10 }).open({ after: 30 }).drop({ after: 80 }) : s.open({ after: 1 })), {
        heartbeat: false,
      });
      m.scheduler.schedule(() => [1, 2, 3].forEach((n) => socket.send({ n })), 5);
      m.scheduler.schedule(() => socket.close(), 300);
      m.flush();
      expect(sentOn(transport, 0)).to.deep.equal([1, 2, 3]);
      expect(sentOn(transport, 1)).to.deep.equal([1, 2, 3]);
    }),
  );
});
