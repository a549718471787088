import { expect } from 'chai';
import type { SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import { tokenBucket } from '../../src/client/rate-limit';
import type { SocketEvent } from '../../src/client/events';
import type { Socket } from '../../src/client/socket';
import type { SocketState } from '../../src/client/state';
import { JsonTopicsMessage, jsonTopics } from '../../src/protocols/json-topics';
import { TestScript, TestTransport } from '../../src/testing/test-transport';

type Msg = JsonTopicsMessage;

function setup(m: { scheduler: SchedulerLike }, script: TestScript, options: ConnectOptions<Msg, Msg> = {}, capabilities = { ping: true }) {
  const transport = new TestTransport({ scheduler: m.scheduler, script, capabilities });
  const socket: Socket<Msg, Msg> = connect<Msg, Msg>('ws://example.test/feed', {
    transport,
    scheduler: m.scheduler,
    heartbeat: false,
    reconnect: { backoff: constantBackoff(20) },
    ...options,
  });
  const states: Array<[number, SocketState]> = [];
  socket.state$.subscribe((state) => states.push([m.scheduler.now(), state]));
  const events: Array<[number, SocketEvent]> = [];
  socket.events$.subscribe((event) => events.push([m.scheduler.now(), event]));
  return { transport, socket, states, events };
}

const statuses = (states: Array<[number, SocketState]>) => states.map(([t, s]) => [t, s.status]);

describe('connect(): a requested close is final, whatever fails while it closes', () => {
  it(
    'should end closed and asked for when the heartbeat deadline passes during a slow closing handshake',
    marbles((m) => {
      const { transport, socket, states } = setup(
        m,
        (s) => {
          s.open({ after: 1 }).slowClose(30);
          s.autoPong(false);
        },
        { heartbeat: { interval: 4, timeout: 3 } },
      );
      m.scheduler.schedule(() => socket.close(), 6);
      m.flush();
      expect(statuses(states)).to.deep.equal([
        [0, 'connecting'],
        [1, 'open'],
        [6, 'closing'],
        [36, 'closed'],
      ]);
      expect(states[3]![1]).to.include({ requested: true, gaveUp: false, code: 1000 });
      expect(transport.sockets.length, 'no socket after close()').to.equal(1);
    }),
  );

  it(
    'should report the requested close, not the last connection, when close() comes during a backoff wait',
    marbles((m) => {
      const { socket, states } = setup(m, (s, i) => (i === 0 ? s.open({ after: 1 }).drop({ after: 5 }) : s.open({ after: 1 })));
      m.scheduler.schedule(() => socket.close(4001, 'bye'), 10);
      m.flush();
      expect(states[states.length - 1]![1]).to.deep.equal({
        status: 'closed',
        code: 4001,
        reason: 'bye',
        wasClean: true,
        requested: true,
        gaveUp: false,
      });
    }),
  );

  it(
    'should emit a closed event when the closing handshake times out',
    marbles((m) => {
      const { socket, events } = setup(m, (s) => s.open({ after: 1 }).slowClose(), { closeTimeout: 10 });
      m.scheduler.schedule(() => socket.close(), 5);
      m.flush();
      const closed = events.filter(([, e]) => e.type === 'closed').map(([t, e]) => [t, e.type === 'closed' && e.code, e.type === 'closed' && e.initiator]);
      expect(closed).to.deep.equal([[15, 1006, 'client']]);
    }),
  );

  it(
    'should replay the final state to a subscriber that comes after the end',
    marbles((m) => {
      const { socket } = setup(m, (s) => s.open({ after: 1 }));
      m.scheduler.schedule(() => socket.close(), 5);
      m.flush();
      const late: string[] = [];
      socket.state$.subscribe({ next: (s) => late.push(s.status), complete: () => late.push('|') });
      expect(late).to.deep.equal(['closed', '|']);
    }),
  );

  it(
    'should number the attempts of a lazy socket from 0 again after it went idle',
    marbles((m) => {
      const { socket, states } = setup(m, (s, i) => (i === 0 ? s.refuse({ after: 1 }) : s.open({ after: 1 })), { lazy: true });
      const sub = m.scheduler.schedule(() => undefined, 0);
      sub.unsubscribe();
      let first: { unsubscribe(): void } | undefined;
      m.scheduler.schedule(() => (first = socket.messages$.subscribe()), 1);
      m.scheduler.schedule(() => first!.unsubscribe(), 40);
      m.scheduler.schedule(() => socket.messages$.subscribe(), 50);
      m.scheduler.schedule(() => socket.close(), 60);
      m.flush();
      const connecting = states.filter(([, s]) => s.status === 'connecting').map(([t, s]) => [t, s.status === 'connecting' && s.attempt]);
      expect(connecting).to.deep.equal([
        [1, 0],
        [22, 1],
        [50, 0],
      ]);
    }),
  );
});

describe('connect(): authentication comes first', () => {
  it(
    'should count an outage until authentication succeeds, so a server that never answers it exhausts maxAttempts',
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => s.open({ after: 1 }), {
        protocol: jsonTopics(),
        auth: { message: () => ({ type: 'auth' }), timeout: 10 },
        reconnect: { backoff: constantBackoff(20), maxAttempts: 2, resetAfter: 5, policy: { errors: { RXNOVA_ERR_AUTH: 'retry' } } },
      });
      m.flush();
      expect(transport.sockets.length).to.equal(3);
      expect(socket.state).to.include({ status: 'closed', gaveUp: true });
    }),
  );

  it(
    'should write no application ping before authentication succeeds',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s) => {
          s.open({ after: 1 });
          s.onWrite((frame, sock) => {
            if (frame.type !== 'text') return;
            const message = JSON.parse(frame.data) as Msg;
            if (message.type === 'auth') sock.receive(JSON.stringify({ id: message.id, data: {} }), { after: 30 });
            if (message.type === 'ping') sock.receive(JSON.stringify({ type: 'pong' }), { after: 1 });
          });
        },
        { protocol: jsonTopics(), auth: () => ({ type: 'auth' }), heartbeat: { interval: 10, timeout: 5 } },
        { ping: false },
      );
      m.scheduler.schedule(() => socket.close(), 60);
      m.flush();
      const writes = transport.last!.written.filter((w) => w.frame.type === 'text').map((w) => [w.time, (JSON.parse((w.frame as { data: string }).data) as Msg).type]);
      expect(writes).to.deep.equal([
        [1, 'auth'],
        [41, 'ping'],
        [51, 'ping'],
      ]);
    }),
  );
});

describe('connect(): channel messages belong to the socket', () => {
  it(
    'should never expire or drop a queued subscribe, and forget an unanswered one after the request timeout',
    marbles((m) => {
      const { transport, socket, events } = setup(m, (s) => s.open({ after: 1 }), {
        protocol: jsonTopics(),
        outbox: { ttl: 100 },
        rateLimit: tokenBucket({ capacity: 1, refillPerSecond: 1 }),
        requests: { timeout: 2000 },
      });
      m.scheduler.schedule(() => socket.send({ type: 'first' }), 5);
      m.scheduler.schedule(() => socket.channel('t').subscribe(), 6);
      m.scheduler.schedule(() => socket.close(), 4000);
      m.flush();
      const writes = transport.last!.written.filter((w) => w.frame.type === 'text').map((w) => [w.time, (JSON.parse((w.frame as { data: string }).data) as Msg).type]);
      expect(writes).to.deep.equal([
        [5, 'first'],
        [1005, 'subscribe'],
      ]);
      expect(events.filter(([, e]) => e.type === 'dropped')).to.deep.equal([]);
    }),
  );
});
