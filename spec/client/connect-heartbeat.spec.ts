/**
 * connect()'s heartbeat against real servers: a server process frozen with
 * SIGSTOP (its socket stays OPEN, nothing answers) is detected within
 * interval + timeout and the client reconnects once it is thawed; and an
 * application-level ping/pong keeps pongs out of messages$ and reports
 * round-trip times.
 */
import { expect } from 'chai';
import type { Subscription } from 'rxjs';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import type { Socket } from '../../src/client/socket';
import { HeartbeatTimeoutError } from '../../src/errors';
import { connect } from '../../src/node';
import { ChildEchoServer, startChildEchoServer } from '../support/client-child-server';
import { ClientServer, recordSocket, SocketRecording, startClientServer, waitFor } from '../support/client-server';

describe('connect() heartbeat against real servers', () => {
  let socket: Socket<unknown, unknown> | undefined;
  let recording: SocketRecording | undefined;
  const subscriptions: Subscription[] = [];

  afterEach(() => {
    subscriptions.splice(0).forEach((s) => s.unsubscribe());
    recording?.stop();
    socket?.close();
    socket = undefined;
    recording = undefined;
  });

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
      socket = s;
      const rec = (recording = recordSocket(s));
      await rec.reach('open');

      // Freeze the server right after a pong has answered a ping: the next ping goes out about
      // `interval` later, and its deadline passes `timeout` after that.
      let frozenAt: number | undefined;
      subscriptions.push(
        s.events$.subscribe((event) => {
          if (event.type === 'rtt' && frozenAt === undefined) {
            server.freeze();
            frozenAt = event.time;
          }
        }),
      );
      await waitFor(() => rec.eventsOf('heartbeat-timeout').length === 1, 'the heartbeat timeout', 3000);
      const detectedAfter = rec.eventsOf('heartbeat-timeout')[0]!.time - frozenAt!;
      expect(detectedAfter, 'ms from SIGSTOP to detection').to.be.within(interval + timeout - 50, interval + timeout + 150);
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
      // The frozen connection was terminated, not left waiting for a closing handshake the
      // dead peer cannot answer: when the server wakes up it sees the TCP connection gone (1006).
      const close = await server.waitForFact('the server to see the frozen connection end', (f) => 'close' in f && f.path === '/frozen-1');
      expect(close).to.deep.include({ close: 1006 });
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
      socket = s as Socket<unknown, unknown>;
      const rec = (recording = recordSocket(s));
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
