/**
 * connect()'s heartbeat against real servers: a server process frozen with
 * SIGSTOP (its socket stays OPEN, nothing answers) is detected within
 * interval + timeout and the client reconnects once it is thawed; and an
 * application-level ping/pong keeps pongs out of messages$ and reports
 * round-trip times.
 */
import { expect } from 'chai';
import { Socket as NetSocket } from 'net';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { HeartbeatTimeoutError } from '../../src/errors';
import { connect } from '../../src/node';
import { ChildEchoServer, startChildEchoServer } from '../support/client-child-server';
import { ClientServer, socketFixture, startClientServer, waitFor } from '../support/client-server';

/**
 * The live TCP sockets this process holds to `port`, from Node's internal handle list: the only
 * view of sockets the client has let go of but not destroyed.
 */
function tcpSocketsTo(port: number): NetSocket[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h): h is NetSocket => h instanceof NetSocket && h.remotePort === port && !h.destroyed);
}

/** Whether a socket is gone: destroyed, or no longer an active handle. */
function isGone(socket: NetSocket): boolean {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return socket.destroyed || !handles.includes(socket);
}

describe('connect() heartbeat against real servers', () => {
  const fixture = socketFixture();

  afterEach(() => fixture.dispose());

  describe('with a server process that freezes (SIGSTOP)', () => {
    let child: ChildEchoServer | undefined;

    afterEach(async () => {
      // Always thaw and kill the child, even when the spec failed half-way.
      await child?.kill();
      child = undefined;
    });

    it('should detect the frozen server within interval plus timeout, and be open again after SIGCONT', async () => {
      const interval = 200;
      const timeout = 200;
      child = await startChildEchoServer();
      const server = child;
      let attempts = 0;
      const s = connect(() => server.url(`/frozen-${++attempts}`), {
        heartbeat: { interval, timeout },
        reconnect: { backoff: constantBackoff(20) },
      });
      const rec = fixture.track(s);
      await rec.reach('open');

      // Freeze the server right after a pong has answered a ping: the next ping goes out about
      // `interval` later, and its deadline passes `timeout` after that.
      let frozenAt: number | undefined;
      fixture.hold(
        s.events$.subscribe((event) => {
          if (event.type === 'rtt' && frozenAt === undefined) {
            server.freeze();
            frozenAt = event.time;
          }
        }),
      );
      // Detection at exactly interval plus timeout is proven in virtual time (marbles/client/connect.spec.ts);
      // against a real frozen process only a bound that a loaded machine cannot break: within 10 times that.
      await waitFor(() => rec.eventsOf('heartbeat-timeout').length === 1, 'the heartbeat timeout', 10 * (interval + timeout) + 1000);
      const detectedAfter = rec.eventsOf('heartbeat-timeout')[0]!.time - frozenAt!;
      expect(detectedAfter, 'ms from SIGSTOP to detection').to.be.within(1, 10 * (interval + timeout));
      expect(rec.eventsOf('heartbeat-timeout')[0]!.timeout).to.equal(timeout);

      const reconnecting = rec.states.find((state) => state.status === 'reconnecting');
      expect(reconnecting, 'a reconnecting state').to.not.equal(undefined);
      expect((reconnecting as { error: unknown }).error).to.be.instanceOf(HeartbeatTimeoutError);
      expect(rec.eventsOf('closed')[0]).to.include({ code: 1006, initiator: 'network' });

      const opensBefore = rec.eventsOf('opened').length;
      server.thaw();
      await waitFor(() => rec.eventsOf('opened').length > opensBefore, 'the client to open again after SIGCONT', 3000);
      expect(s.state.status).to.equal('open');
      // The new connection works.
      s.send({ after: 'thaw' });
      await waitFor(() => rec.messages.length === 1, 'the echo on the new connection');
      expect(rec.messages).to.deep.equal([{ after: 'thaw' }]);
      expect(rec.eventsOf('dropped')).to.deep.equal([]);
    });

    it('should drop the timed-out socket at once instead of leaving it waiting for a closing handshake the frozen server cannot answer', async () => {
      child = await startChildEchoServer();
      const server = child;
      const s = connect(server.url('/linger'), {
        heartbeat: { interval: 100, timeout: 100 },
        reconnect: { backoff: constantBackoff(20) },
        connectTimeout: 0,
      });
      const rec = fixture.track(s);
      await rec.reach('open');
      const sockets = tcpSocketsTo(server.port);
      expect(sockets.length).to.equal(1);
      const timedOut = sockets[0]!;
      server.freeze();
      await waitFor(() => rec.eventsOf('heartbeat-timeout').length === 1, 'the heartbeat timeout', 3000);
      // ws would otherwise wait 30 s for the close frame the frozen peer never sends.
      await waitFor(() => isGone(timedOut), 'the timed-out TCP socket to be destroyed', 500);
      // Meanwhile the client reconnects (the frozen server's kernel accepts the TCP connection; the upgrade then hangs).
      await waitFor(() => rec.eventsOf('connecting').some((e) => e.attempt === 1), 'the reconnect attempt');
    });

    it('should drop the socket when close() gets no closing handshake within closeTimeout', async () => {
      child = await startChildEchoServer();
      const server = child;
      const closeTimeout = 150;
      const s = connect(server.url('/close-timeout'), { heartbeat: false, closeTimeout });
      const rec = fixture.track(s);
      await rec.reach('open');
      const [tcp] = tcpSocketsTo(server.port);
      expect(tcp, 'the TCP socket of the open connection').to.not.equal(undefined);
      server.freeze();
      const closedAt = Date.now();
      s.close(1000, 'bye');
      expect(s.state.status).to.equal('closing');
      await rec.reach('closed', 10 * closeTimeout + 1000);
      // Exact in virtual time (marbles/client/closing.spec.ts). Here only bounds a loaded machine cannot break: the
      // frozen server cannot answer, so not long before closeTimeout (Node times timers from the loop's cached clock,
      // which may lag Date.now()), and within 10 times it.
      expect(Date.now() - closedAt, 'ms from close() to closed').to.be.within(closeTimeout / 2, 10 * closeTimeout);
      expect(s.state).to.include({ status: 'closed', requested: true, gaveUp: false });
      await waitFor(() => isGone(tcp!), 'the TCP socket to be destroyed', 500);
      expect(tcpSocketsTo(server.port)).to.deep.equal([]);
    });
  });

  describe('with an application-level ping', () => {
    let server: ClientServer;
    beforeEach(async () => {
      server = await startClientServer({
        onMessage: (connection, data) => {
          if (data === '{"type":"ping"}') {
            connection.socket.send('{"type":"pong"}');
            return true;
          }
          return false;
        },
      });
    });
    afterEach(() => server.dispose());

    it('should send the ping message, keep pongs out of messages$, and report round-trip times', async () => {
      type Message = { type: string; n?: number };
      const s = connect<Message, Message>(server.url('/app-ping'), {
        heartbeat: { interval: 40, timeout: 500, ping: { type: 'ping' }, isPong: (m) => m.type === 'pong' },
        reconnect: { backoff: constantBackoff(20) },
      });
      const rec = fixture.track(s);
      await waitFor(() => rec.eventsOf('rtt').length >= 3, 'three round trips', 3000);
      s.send({ type: 'data', n: 1 });
      await waitFor(() => rec.messages.length === 1, 'the echo of the data message');

      const connection = server.connections[0]!;
      const pings = connection.messages.filter((m) => m === '{"type":"ping"}').length;
      expect(pings).to.be.at.least(3);
      expect(connection.pings, 'protocol pings sent besides the application ping').to.equal(0);
      expect(rec.messages).to.deep.equal([{ type: 'data', n: 1 }]);
      for (const { rtt } of rec.eventsOf('rtt')) expect(rtt).to.be.within(0, 500);
      // Pongs are not counted as received messages, and the pings are not counted as sent ones.
      expect(rec.eventsOf('received').length).to.equal(1);
      expect(rec.eventsOf('sent').length).to.equal(1);
      expect(rec.eventsOf('heartbeat-timeout')).to.deep.equal([]);
      expect(s.state.status).to.equal('open');
    });
  });
});
