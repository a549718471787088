import { expect } from 'chai';
import { map, timer } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { connect } from '../../src/client/connect';
import { defineProtocol } from '../../src/client/define-protocol';
import type { SocketEvent } from '../../src/client/events';
import type { Socket } from '../../src/client/socket';
import { AuthError, CodecError } from '../../src/errors';
import { TestTransport } from '../../src/testing/test-transport';
import { invalidOptionsMessage } from '../../spec/support/invalid-options';
import { answering, Msg, sent, setup } from './protocol-support';

/** The events of one type, with the virtual time. */
function eventsOf(m: { scheduler: { now(): number } }, socket: Socket<Msg, Msg>, type: SocketEvent['type']): Array<[number, SocketEvent]> {
  const seen: Array<[number, SocketEvent]> = [];
  socket.events$.subscribe((e) => e.type === type && seen.push([m.scheduler.now(), e]));
  return seen;
}

/** The error the socket ended with. */
const endError = (socket: Socket<Msg, Msg>): unknown => (socket.state as { error?: unknown }).error;

/** A protocol without request ids that recognises the auth answer by its type. */
const byType = defineProtocol<Msg, Msg>({
  authResult: (message) => (message.type === 'auth-ok' ? { ok: true } : message.type === 'auth-denied' ? { ok: false, reason: String(message.data) } : undefined),
});

describe('authentication on the socket, edges, in virtual time', () => {
  it('should refuse an auth option without a message function, and bad timeout or refreshBefore values, naming the option', () => {
    const make = (auth: unknown) => () => connect<Msg, Msg>('ws://example.test', { transport: new TestTransport(), protocol: byType, auth: auth as never, lazy: true });
    expect(invalidOptionsMessage(make({ message: 'token' }))).to.equal(
      'rxnova: invalid options: options.auth must be a function returning the auth message (or an Observable of it), or { message, timeout, refreshBefore }',
    );
    expect(invalidOptionsMessage(make({ message: () => ({}), timeout: 0 }))).to.match(/^rxnova: invalid options: options\.auth\.timeout must be/);
    expect(invalidOptionsMessage(make({ message: () => ({}), refreshBefore: -1 }))).to.match(/^rxnova: invalid options: options\.auth\.refreshBefore must be/);
    expect(make({ message: () => ({}), refreshBefore: 0 })).to.not.throw();
  });

  it(
    "should report 'authenticated' with expiresIn only when the answer gives an expiry",
    marbles((m) => {
      const make = (data: unknown) =>
        setup(
          m,
          (s) => {
            s.open({ after: 5 });
            answering(s, (msg) => ({ id: msg.id, data }));
          },
          { auth: { message: () => ({ type: 'auth' }), refreshBefore: 0 } },
        ).socket;
      const plain = make({});
      const expiring = make({ expires_in: 2 });
      const seen = [eventsOf(m, plain, 'authenticated'), eventsOf(m, expiring, 'authenticated')];
      m.scheduler.schedule(() => [plain, expiring].forEach((socket) => socket.close()), 100);
      m.flush();
      expect(seen).to.deep.equal([
        [[6, { type: 'authenticated', time: 6, refresh: false }]],
        [[6, { type: 'authenticated', time: 6, refresh: false, expiresIn: 2000 }]],
      ]);
    }),
  );

  it(
    'should not re-authenticate when the answer gives an expiry in the past, and re-authenticate at once when it gives 0',
    marbles((m) => {
      const answers = [-1, 0];
      const { transport, socket } = setup(
        m,
        (s) => {
          s.open({ after: 5 });
          let answer = 0;
          answering(s, (msg) => ({ id: msg.id, data: answer < answers.length ? { expires_in: answers[answer++] } : {} }));
        },
        { auth: { message: ({ refresh }) => ({ type: 'auth', refresh }), refreshBefore: 0 } },
      );
      m.scheduler.schedule(() => socket.close(), 10_000);
      m.flush();
      // An expiry of -1 s: no refresh is scheduled (a refresh at once would repeat for as long as the server says so).
      const auths = sent(transport.sockets[0]!).filter((msg) => msg.type === 'auth');
      expect(auths).to.have.length(1);

      const zero = setup(
        m,
        (s) => {
          s.open({ after: 5 });
          let answer = 0;
          answering(s, (msg) => ({ id: msg.id, data: answer++ === 0 ? { expires_in: 0 } : {} }));
        },
        { auth: { message: ({ refresh }) => ({ type: 'auth', refresh }), refreshBefore: 0 } },
      );
      const start = m.scheduler.now();
      m.scheduler.schedule(() => zero.socket.close(), 100);
      m.flush();
      const times = zero.transport.sockets[0]!.written.filter((w) => w.frame.type === 'text').map((w) => [w.time - start, (JSON.parse((w.frame as { data: string }).data) as Msg).refresh]);
      expect(times).to.deep.equal([
        [5, false],
        [6, true],
      ]);
    }),
  );

  it(
    'should renew credentials that live no longer than refreshBefore at half their life, not after every answer',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s) => {
          s.open({ after: 5 });
          answering(s, (msg) => ({ id: msg.id, data: { expires_in: 3 } }));
        },
        { auth: { message: ({ refresh }) => ({ type: 'auth', refresh }) } },
      );
      m.scheduler.schedule(() => socket.close(), 4000);
      m.flush();
      const writes = transport.sockets[0]!.written.filter((w) => w.frame.type === 'text').map((w) => w.time);
      // 3 s tokens, refreshBefore 5 s (the default): answered at 6, renewed 1.5 s later, and so on.
      expect(writes).to.deep.equal([5, 1506, 3007]);
    }),
  );

  it(
    "should report the auth message as 'sent' on events$, with its size",
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s) => {
          s.open({ after: 5 });
          answering(s);
        },
        { auth: () => ({ type: 'auth', token: 'abc' }) },
      );
      const sentEvents = eventsOf(m, socket, 'sent');
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      const frame = transport.sockets[0]!.writtenTexts[0]!;
      expect(sentEvents[0]).to.deep.equal([5, { type: 'sent', time: 5, kind: 'text', bytes: frame.length }]);
    }),
  );

  it(
    'should wait, without ids, for the answer authResult recognises: other messages pass to messages$, the answer does not',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s) => {
          s.open({ after: 5 });
          s.receive(JSON.stringify({ type: 'hello' }), { after: 7 });
          s.receive(JSON.stringify({ type: 'auth-ok' }), { after: 9 });
        },
        { protocol: byType, auth: () => ({ type: 'auth' }) },
      );
      const messages: Msg[] = [];
      socket.messages$.subscribe((message) => messages.push(message));
      socket.send({ type: 'queued' });
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(messages).to.deep.equal([{ type: 'hello' }]);
      const wire = transport.sockets[0]!.written.filter((w) => w.frame.type === 'text').map((w) => [w.time, (JSON.parse((w.frame as { data: string }).data) as Msg).type]);
      expect(wire).to.deep.equal([
        [5, 'auth'],
        [9, 'queued'],
      ]);
    }),
  );

  it(
    'should end the socket with AuthError giving the reason authResult returns for a refusal, with ids and without',
    marbles((m) => {
      const withoutIds = setup(
        m,
        (s) => {
          s.open({ after: 5 });
          s.receive(JSON.stringify({ type: 'auth-denied', data: 'plan expired' }), { after: 8 });
        },
        { protocol: byType, auth: () => ({ type: 'auth' }) },
      ).socket;
      const withIds = setup(
        m,
        (s) => {
          s.open({ after: 5 });
          answering(s);
        },
        {
          protocol: defineProtocol<Msg, Msg>({
            withId: (message, id) => ({ ...message, id }),
            idOf: (message) => message.id,
            authResult: () => ({ ok: false, reason: 'wrong tenant' }),
          }),
          auth: () => ({ type: 'auth' }),
        },
      ).socket;
      m.flush();
      for (const [socket, reason] of [
        [withoutIds, 'plan expired'],
        [withIds, 'wrong tenant'],
      ] as const) {
        expect(socket.state).to.include({ status: 'closed', gaveUp: true });
        expect(endError(socket)).to.be.instanceOf(AuthError);
        expect((endError(socket) as Error).message).to.equal(`rxnova: authentication failed: ${reason}`);
      }
    }),
  );

  it(
    'should end the socket with AuthError, the codec error as its cause, when the auth message cannot be encoded',
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => s.open({ after: 5 }), { auth: () => ({ type: 'auth', token: 10n }) as unknown as Msg });
      m.flush();
      const error = endError(socket) as AuthError & { cause?: unknown };
      expect(error).to.be.instanceOf(AuthError);
      expect(error.message).to.equal('rxnova: authentication failed: the auth message could not be sent');
      expect(error.cause).to.be.instanceOf(CodecError);
      expect(transport.sockets[0]!.writtenTexts).to.deep.equal([]);
    }),
  );

  it(
    'should send the message an auth Observable emits, when it emits, and succeed once it completes',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s) => {
          s.open({ after: 5 });
          answering(s);
        },
        { auth: () => timer(10, m.scheduler).pipe(map((): Msg => ({ type: 'auth', token: 'fetched' }))) },
      );
      socket.send({ type: 'queued' });
      m.scheduler.schedule(() => socket.close(), 50);
      m.flush();
      const wire = transport.sockets[0]!.written.filter((w) => w.frame.type === 'text').map((w) => [w.time, (JSON.parse((w.frame as { data: string }).data) as Msg).type]);
      expect(wire).to.deep.equal([
        [15, 'auth'],
        [16, 'queued'],
      ]);
      expect(socket.state.status).to.equal('closed');
      expect(endError(socket)).to.equal(undefined);
    }),
  );
});
