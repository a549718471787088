import { expect } from 'chai';
import { Observable, SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { SocketEvent } from '../../src/client/events';
import type { Socket } from '../../src/client/socket';
import { ConnectionClosedError, HeartbeatTimeoutError } from '../../src/errors';
import { jsonRpc } from '../../src/protocols/json-rpc';
import { TestScript, TestTransport } from '../../src/testing/test-transport';

function setup<In = unknown, Out = unknown>(scheduler: SchedulerLike, script: TestScript, options: ConnectOptions<In, Out> = {}) {
  const transport = new TestTransport({ scheduler, script });
  const socket: Socket<In, Out> = connect<In, Out>('ws://example.test/feed', {
    transport,
    scheduler,
    heartbeat: false,
    reconnect: { backoff: constantBackoff(20) },
    ...options,
  });
  const events: SocketEvent[] = [];
  socket.events$.subscribe((event) => events.push(event));
  const of = <T extends SocketEvent['type']>(type: T) =>
    events.filter((e): e is Extract<SocketEvent, { type: T }> => e.type === type).map(({ time: _time, type: _type, ...rest }) => rest as Record<string, unknown>);
  return { transport, socket, events, of };
}

describe('a connection attempt', () => {
  it(
    'should report an application ping that throws, and fail that connection with its error',
    marbles((m) => {
      const thrown = new Error('no ping today');
      const { transport, socket, of } = setup(m.scheduler, (s) => s.open({ after: 1 }), {
        heartbeat: {
          interval: 10,
          timeout: 5,
          ping: () => {
            throw thrown;
          },
        },
      });
      m.flush();
      expect(of('callback-error')).to.deep.equal([{ source: 'heartbeat.ping', error: thrown }]);
      expect(transport.sockets[0]!.closedAt).to.equal(11);
      // The default policy does not retry an error it does not know: the socket gives up with it.
      expect(socket.state).to.include({ status: 'closed', gaveUp: true, error: thrown });
    }),
  );

  it(
    'should count the connect time of a reconnect from its own dial',
    marbles((m) => {
      const { of } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 3 }).drop({ after: 10 }) : s.open({ after: 5 })), { reconnect: { backoff: constantBackoff(20), maxAttempts: 1 } });
      m.flush();
      expect(of('opened').map((e) => e['connectTime'])).to.deep.equal([3, 5]);
    }),
  );

  it(
    'should deliver binary frames to messages$ and take server pings as life, not as pongs',
    marbles((m) => {
      const codec = { name: 'probe', encode: (text: string) => text, decode: (data: string | Uint8Array) => (typeof data === 'string' ? data : `${data.length} bytes`) };
      const { socket, of } = setup<string, string>(
        m.scheduler,
        (s) => s.autoPong(false).open({ after: 1 }).receive(new Uint8Array(3), { after: 5 }).receive({ type: 'ping' }, { after: 12 }).receive({ type: 'pong' }, { after: 13 }),
        { codec, heartbeat: { interval: 10, timeout: 50 } },
      );
      const messages: string[] = [];
      socket.messages$.subscribe((message) => messages.push(message));
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(messages).to.deep.equal(['3 bytes']);
      // The ping of 11 is answered by the pong of 13 only.
      expect(of('rtt')).to.deep.equal([{ rtt: 2 }]);
    }),
  );

  it(
    'should take a server ping without a heartbeat in stride',
    marbles((m) => {
      const { socket } = setup(m.scheduler, (s) => s.open({ after: 1 }).receive({ type: 'ping' }, { after: 5 }));
      m.scheduler.schedule(() => expect(socket.state.status).to.equal('open'), 10);
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(socket.state).to.include({ status: 'closed', requested: true });
    }),
  );

  it(
    'should fail a request in flight with a dropped, unclean ConnectionClosedError when the heartbeat times out',
    marbles((m) => {
      const { socket } = setup(m.scheduler, (s) => s.open({ after: 1 }).autoPong(false), {
        protocol: jsonRpc(),
        heartbeat: { interval: 10, timeout: 5 },
        reconnect: false,
      });
      const failures: unknown[] = [];
      m.scheduler.schedule(() => (socket.request({ method: 'slow' }) as Observable<unknown>).subscribe({ error: (error: unknown) => failures.push(error) }), 5);
      m.flush();
      expect(failures).to.have.length(1);
      const error = failures[0] as ConnectionClosedError;
      expect(error).to.be.instanceOf(ConnectionClosedError);
      expect([error.closeCode, error.reason, error.wasClean]).to.deep.equal([1006, '', false]);
      expect((error as { cause?: unknown }).cause).to.be.instanceOf(HeartbeatTimeoutError);
    }),
  );
});

describe('a connection attempt: its closed event', () => {
  it(
    'should say a close this side asked for was clean, code 1000, by the client, with no error',
    marbles((m) => {
      const { socket, of } = setup(m.scheduler, (s) => s.open({ after: 1 }));
      m.scheduler.schedule(() => socket.close(), 10);
      m.flush();
      expect(of('closed')).to.deep.equal([{ code: 1000, reason: '', wasClean: true, initiator: 'client' }]);
    }),
  );

  it(
    'should say a dropped connection ended with 1006, unclean, from the network, with its error',
    marbles((m) => {
      const { socket, of } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).drop({ after: 10 }) : s.open({ after: 1 })));
      m.scheduler.schedule(() => socket.close(), 100);
      m.flush();
      const first = of('closed')[0]!;
      expect(first).to.include({ code: 1006, reason: '', wasClean: false, initiator: 'network' });
      expect(first['error']).to.be.instanceOf(ConnectionClosedError);
    }),
  );

  it(
    'should say a close whose handshake timed out was torn down by the client: 1006, unclean, no reason',
    marbles((m) => {
      const { socket, of } = setup(m.scheduler, (s) => s.open({ after: 1 }).slowClose(), { closeTimeout: 50 });
      m.scheduler.schedule(() => socket.close(4000, 'bye'), 10);
      m.flush();
      expect(of('closed')).to.deep.equal([{ code: 1006, reason: '', wasClean: false, initiator: 'client' }]);
    }),
  );
});
