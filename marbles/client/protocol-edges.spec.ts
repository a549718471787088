import { expect } from 'chai';
import { Observable, throwError } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import { defineProtocol } from '../../src/client/define-protocol';
import type { Socket } from '../../src/client/socket';
import { AuthError, RequestTimeoutError } from '../../src/errors';
import type { TestSocket } from '../../src/testing/test-socket';
import { TestTransport } from '../../src/testing/test-transport';
import { answering, Msg, sent, setup } from './protocol-support';

/** What a socket wrote, as [type, topic or token or null], text frames only. */
function summary(socket: TestSocket): Array<[string, unknown]> {
  return sent(socket).map((m) => [m.type as string, m.topic ?? m.token ?? null]);
}

/** The error the socket ended with (state `closed`), if any. */
const endError = (socket: Socket<Msg, Msg>): unknown => (socket.state as { error?: unknown }).error;

describe('protocols on the socket, edges, in virtual time', () => {
  it(
    'should keep a socket that is not lazy open when its last channel ends',
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => {
        s.open({ after: 1 });
        answering(s);
      });
      const channel = socket.channel('prices').subscribe();
      m.scheduler.schedule(() => channel.unsubscribe(), 10);
      m.flush();
      expect(socket.state.status).to.equal('open');
      expect(summary(transport.sockets[0]!)).to.deep.equal([
        ['subscribe', 'prices'],
        ['unsubscribe', 'prices'],
      ]);
      expect(transport.sockets[0]!.written.some((w) => w.frame.type === 'close'), 'no close frame').to.equal(false);
      socket.close();
    }),
  );

  it(
    'should not subscribe again, after a reconnect, a channel that was left before the connection dropped',
    marbles((m) => {
      const { transport, socket } = setup(m, (s, i) => {
        s.open({ after: 1 });
        answering(s);
        if (i === 0) s.drop({ after: 20 });
      });
      const left = socket.channel('left').subscribe();
      socket.channel('kept').subscribe();
      m.scheduler.schedule(() => left.unsubscribe(), 10);
      m.scheduler.schedule(() => socket.close(), 60);
      m.flush();
      expect(summary(transport.sockets[0]!)).to.deep.equal([
        ['subscribe', 'left'],
        ['subscribe', 'kept'],
        ['unsubscribe', 'left'],
      ]);
      expect(summary(transport.sockets[1]!)).to.deep.equal([['subscribe', 'kept']]);
    }),
  );

  it(
    'should count the auth message as accepted once sent, with a protocol that has neither request ids nor authResult',
    marbles((m) => {
      const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open({ after: 5 }) });
      const socket = connect<Msg, Msg>('ws://example.test/feed', {
        transport,
        scheduler: m.scheduler,
        heartbeat: false,
        protocol: defineProtocol<Msg, Msg>({}),
        auth: ({ attempt }) => ({ type: 'auth', token: `t${attempt}` }),
      });
      const authenticated: number[] = [];
      socket.events$.subscribe((e) => e.type === 'authenticated' && authenticated.push(m.scheduler.now()));
      socket.send({ type: 'queued' });
      m.flush();
      expect(summary(transport.sockets[0]!)).to.deep.equal([
        ['auth', 't0'],
        ['queued', null],
      ]);
      expect(authenticated).to.deep.equal([5]);
      expect(socket.state.status).to.equal('open');
      socket.close();
    }),
  );

  const failures: Array<[string, () => Msg | Observable<Msg>, string]> = [
    ['throws', () => { throw new TypeError('no token store'); }, 'auth() threw'],
    ['returns an Observable that errors', () => throwError(() => new TypeError('token endpoint down')), 'auth() failed'],
    ['returns an Observable that completes empty', () => new Observable<Msg>((s) => s.complete()), 'auth() completed without a message'],
  ];
  for (const [what, auth, reason] of failures) {
    it(
      `should end the socket with AuthError (${reason}) and write nothing when auth() ${what}`,
      marbles((m) => {
        const { transport, socket } = setup(m, (s) => {
          s.open({ after: 5 });
          answering(s);
        }, { auth });
        socket.send({ type: 'queued' });
        m.flush();
        const error = endError(socket);
        expect(socket.state).to.include({ status: 'closed', gaveUp: true });
        expect(error).to.be.instanceOf(AuthError);
        expect((error as AuthError).message).to.equal(`rxnova: authentication failed: ${reason}`);
        const cause = (error as { cause?: unknown }).cause;
        if (reason === 'auth() completed without a message') expect(cause).to.equal(undefined);
        else expect(cause).to.be.instanceOf(TypeError);
        expect(transport.sockets).to.have.length(1);
        expect(summary(transport.sockets[0]!), 'the queued message waits for auth, and auth never succeeded').to.deep.equal([]);
      }),
    );
  }

  it(
    'should fail a request queued while the socket is down when its timeout passes, and not write it on the next connection',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s, i) => {
          s.open({ after: 1 });
          answering(s);
          if (i === 0) s.drop({ after: 10 });
        },
        { reconnect: { backoff: constantBackoff(100) } },
      );
      const failed: Array<[number, unknown]> = [];
      m.scheduler.schedule(() => {
        socket.request({ type: 'get', topic: 'late' }, { timeout: 30 }).subscribe({ error: (e: unknown) => failed.push([m.scheduler.now(), e]) });
        socket.request({ type: 'get', topic: 'patient' }, { timeout: 1000 }).subscribe();
      }, 20);
      m.scheduler.schedule(() => socket.close(), 200);
      m.flush();
      expect(failed).to.have.length(1);
      expect(failed[0]![0]).to.equal(50);
      expect(failed[0]![1]).to.be.instanceOf(RequestTimeoutError);
      expect(summary(transport.sockets[1]!)).to.deep.equal([['get', 'patient']]);
    }),
  );
});
