import { expect } from 'chai';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import type { Socket } from '../../src/client/socket';
import { OutboxFullError, RequestTimeoutError, SocketClosedError } from '../../src/errors';
import type { TestSocket } from '../../src/testing/test-socket';
import { answering, Msg, sent, setup } from './protocol-support';

type Outcome = [number, 'next' | 'error' | 'complete', unknown];

/** Subscribes to a request and records what it does, with the virtual time. */
function track(m: { scheduler: { now(): number } }, socket: Socket<Msg, Msg>, message: Msg, options: Parameters<Socket<Msg, Msg>['request']>[1] = {}): Outcome[] {
  const seen: Outcome[] = [];
  socket.request(message, options).subscribe({
    next: (value) => seen.push([m.scheduler.now(), 'next', value]),
    error: (error: unknown) => seen.push([m.scheduler.now(), 'error', error]),
    complete: () => seen.push([m.scheduler.now(), 'complete', undefined]),
  });
  return seen;
}

/** What reached messages$, and the ids of the late-response events. */
function watch(socket: Socket<Msg, Msg>): { messages: Msg[]; late: Array<number | string> } {
  const seen = { messages: [] as Msg[], late: [] as Array<number | string> };
  socket.messages$.subscribe((message) => seen.messages.push(message));
  socket.events$.subscribe((e) => e.type === 'late-response' && seen.late.push(e.id));
  return seen;
}

/** The ids of the requests (type 'get') a socket wrote. */
const requestIds = (socket: TestSocket): unknown[] => sent(socket).filter((m) => m.type === 'get').map((m) => m.id);

describe('requests on the socket, edges, in virtual time', () => {
  it(
    'should resolve a request whose response carries its numeric id as a string',
    marbles((m) => {
      const { socket } = setup(m, (s) => {
        s.open({ after: 1 });
        s.onWrite((frame, t) => {
          const message = JSON.parse((frame as { data: string }).data) as Msg;
          t.receive(JSON.stringify({ id: String(message.id), data: 'ok' }), { after: 1 });
        });
      });
      const outcome = track(m, socket, { type: 'get' });
      m.flush();
      expect(outcome).to.deep.equal([
        [2, 'next', 'ok'],
        [2, 'complete', undefined],
      ]);
      socket.close();
    }),
  );

  it(
    'should give a request only the first of two responses with its id, and pass the second to messages$ as an ordinary message',
    marbles((m) => {
      const { socket } = setup(m, (s) => {
        s.open({ after: 1 });
        s.onWrite((_frame, t) => {
          t.receive(JSON.stringify({ id: 1, data: 'first' }), { after: 1 });
          t.receive(JSON.stringify({ id: 1, data: 'second' }), { after: 2 });
        });
      });
      const seen = watch(socket);
      const outcome = track(m, socket, { type: 'get' });
      m.flush();
      expect(outcome.map(([, kind, value]) => [kind, value])).to.deep.equal([
        ['next', 'first'],
        ['complete', undefined],
      ]);
      expect(seen.messages).to.deep.equal([{ id: 1, data: 'second' }]);
      expect(seen.late).to.deep.equal([]);
      socket.close();
    }),
  );

  it(
    'should pass a message with an id no request has to messages$, and report no late response',
    marbles((m) => {
      const { socket } = setup(m, (s) => {
        s.open({ after: 1 });
        s.receive(JSON.stringify({ id: 77, data: 'unasked' }), { after: 5 });
      });
      const seen = watch(socket);
      m.flush();
      expect(seen.messages).to.deep.equal([{ id: 77, data: 'unasked' }]);
      expect(seen.late).to.deep.equal([]);
      socket.close();
    }),
  );

  it(
    'should report a late response to a request that timed out after it was written, and not to one that timed out before it left',
    marbles((m) => {
      // Open at 50: request 1 times out while queued (never written); request 2 is written at 50 and times out at 60.
      const { transport, socket } = setup(m, (s) => {
        s.open({ after: 50 });
        s.receive(JSON.stringify({ id: 2, data: 'late' }), { after: 70 });
        s.receive(JSON.stringify({ id: 1, data: 'never asked on this connection' }), { after: 71 });
      });
      const seen = watch(socket);
      const queued = track(m, socket, { type: 'get' }, { timeout: 10 });
      m.scheduler.schedule(() => track(m, socket, { type: 'get' }, { timeout: 10 }), 45);
      m.flush();
      expect(queued).to.have.length(1);
      expect(queued[0]![1]).to.equal('error');
      expect(queued[0]![2]).to.be.instanceOf(RequestTimeoutError);
      expect(requestIds(transport.sockets[0]!), 'the timed-out request was never written').to.deep.equal([2]);
      expect(seen.late).to.deep.equal([2]);
      expect(seen.messages).to.deep.equal([{ id: 1, data: 'never asked on this connection' }]);
      socket.close();
    }),
  );

  it(
    'should not report a late response when a channel subscribe is acknowledged after the socket stopped waiting for it',
    marbles((m) => {
      const { socket } = setup(
        m,
        (s) => {
          s.open({ after: 1 });
          s.onWrite((frame, t) => {
            const message = JSON.parse((frame as { data: string }).data) as Msg;
            t.receive(JSON.stringify({ id: message.id, data: {} }), { after: 100 });
          });
        },
        { requests: { timeout: 50 } },
      );
      const seen = watch(socket);
      socket.channel('prices').subscribe();
      m.flush();
      expect(seen.late).to.deep.equal([]);
      socket.close();
    }),
  );

  it(
    'should remember the ids of the last 10,000 abandoned requests for late responses, and forget older ones',
    marbles((m) => {
      const count = 10_001;
      const { socket } = setup(m, (s) => {
        s.open({ after: 1 });
        s.receive(JSON.stringify({ id: 1, data: 'too late to remember' }), { after: 100 });
        s.receive(JSON.stringify({ id: 2, data: 'late' }), { after: 101 });
      });
      const seen = watch(socket);
      // Sent once open (written at once, not queued: the outbox holds 10,000 at most), each times out 10 ms later.
      m.scheduler.schedule(() => {
        for (let i = 0; i < count; i++) track(m, socket, { type: 'get' }, { timeout: 10 });
      }, 2);
      m.flush();
      expect(seen.late).to.deep.equal([2]);
      expect(seen.messages).to.deep.equal([{ id: 1, data: 'too late to remember' }]);
      socket.close();
    }),
  );

  it(
    "should fail with SocketClosedError a request that waits to be sent again (inFlight 'resend') when close() comes before the reconnect",
    marbles((m) => {
      const { socket } = setup(
        m,
        (s, i) => {
          s.open({ after: 1 });
          if (i === 0) s.drop({ after: 5 });
        },
        { reconnect: { backoff: constantBackoff(100) } },
      );
      const outcome = track(m, socket, { type: 'get' }, { inFlight: 'resend' });
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(outcome).to.have.length(1);
      expect(outcome[0]!.slice(0, 2)).to.deep.equal([20, 'error']);
      expect(outcome[0]![2]).to.be.instanceOf(SocketClosedError);
    }),
  );

  it(
    'should write one subscribe and one auth message per connection when the connection drops before they are answered',
    marbles((m) => {
      // The first connection answers nothing and drops at 10; the second answers.
      const { transport, socket } = setup(
        m,
        (s, i) => {
          s.open({ after: 1 });
          if (i === 0) s.drop({ after: 10 });
          else answering(s);
        },
        { auth: ({ attempt }) => ({ type: 'auth', token: `t${attempt}` }) },
      );
      socket.channel('prices').subscribe();
      m.scheduler.schedule(() => socket.close(), 100);
      m.flush();
      const summary = (s: TestSocket) => sent(s).map((msg) => [msg.type, msg.topic ?? msg.token ?? null]);
      expect(summary(transport.sockets[0]!)).to.deep.equal([['auth', 't0']]);
      expect(summary(transport.sockets[1]!)).to.deep.equal([
        ['auth', 't1'],
        ['subscribe', 'prices'],
      ]);
    }),
  );

  it(
    'should fail a queued request with the reason the outbox dropped it: overflow, ttl, or close()',
    marbles((m) => {
      // Never opens: everything waits in the outbox.
      const { socket } = setup(m, (s) => s.open({ after: 1000 }), { outbox: { maxMessages: 1, overflow: 'drop-oldest', ttl: 30 } });
      const overflowed = track(m, socket, { type: 'get' });
      const expired = track(m, socket, { type: 'get' });
      let closed: Outcome[] = [];
      m.scheduler.schedule(() => (closed = track(m, socket, { type: 'get' })), 40);
      m.scheduler.schedule(() => socket.close(), 50);
      m.flush();
      expect(overflowed.map(([t, kind]) => [t, kind])).to.deep.equal([[0, 'error']]);
      expect(overflowed[0]![2]).to.be.instanceOf(OutboxFullError);
      expect(expired.map(([t, kind]) => [t, kind])).to.deep.equal([[30, 'error']]);
      expect(expired[0]![2]).to.be.instanceOf(RequestTimeoutError);
      expect(closed.map(([t, kind]) => [t, kind])).to.deep.equal([[50, 'error']]);
      expect(closed[0]![2]).to.be.instanceOf(SocketClosedError);
    }),
  );
});
