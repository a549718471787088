import { expect } from 'chai';
import type { SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { tokenBucket } from '../../src/client/rate-limit';
import type { SocketEvent } from '../../src/client/events';
import type { Socket } from '../../src/client/socket';
import { AuthError, ConnectionClosedError, RemoteError, RequestTimeoutError } from '../../src/errors';
import { jsonTopics } from '../../src/protocols/json-topics';
import type { TestSocket } from '../../src/testing/test-socket';
import type { TestScript } from '../../src/testing/test-transport';
import { answering, Msg, sent, setup } from './protocol-support';

function events(socket: Socket<Msg, Msg>, scheduler: SchedulerLike, type: SocketEvent['type']): Array<[number, SocketEvent]> {
  const seen: Array<[number, SocketEvent]> = [];
  socket.events$.subscribe((e) => e.type === type && seen.push([scheduler.now(), e]));
  return seen;
}

describe('protocols on the socket, in virtual time', () => {
  it(
    'should send one subscribe for two subscribers, none when one leaves, and one unsubscribe when the last leaves',
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => {
        s.open({ after: 1 });
        answering(s);
      });
      let a: { unsubscribe(): void } | undefined;
      let b: { unsubscribe(): void } | undefined;
      m.scheduler.schedule(() => (a = socket.channel('prices').subscribe()), 5);
      m.scheduler.schedule(() => (b = socket.channel('prices').subscribe()), 6);
      m.scheduler.schedule(() => a!.unsubscribe(), 10);
      m.scheduler.schedule(() => b!.unsubscribe(), 20);
      m.scheduler.schedule(() => socket.close(), 30);
      m.flush();
      const wire = transport.written
        .filter((w) => w.frame.type === 'text')
        .map((w) => [w.time, (JSON.parse((w.frame as { data: string }).data) as Msg).type]);
      expect(wire).to.deep.equal([
        [5, 'subscribe'],
        [20, 'unsubscribe'],
      ]);
    }),
  );

  it(
    'should deliver topic data to the channel and also to messages$ unless turned off',
    marbles((m) => {
      const script: TestScript = (s) => {
        s.open({ after: 1 });
        answering(s);
        s.play('-----a-b', { a: JSON.stringify({ topic: 'prices', data: 1 }), b: JSON.stringify({ topic: 'news', data: 'x' }) });
      };
      const { socket } = setup(m, script);
      const { socket: quiet } = setup(m, script, { messagesIncludeChannels: false });
      m.scheduler.schedule(() => {
        socket.close();
        quiet.close();
      }, 20);
      m.expect(socket.channel('prices')).toBeObservable('-----a--------------|', { a: 1 });
      m.expect(socket.messages$).toBeObservable('-----a-b------------|', { a: { topic: 'prices', data: 1 }, b: { topic: 'news', data: 'x' } });
      m.expect(quiet.channel('prices')).toBeObservable('-----a--------------|', { a: 1 });
      m.expect(quiet.messages$).toBeObservable('-------b------------|', { b: { topic: 'news', data: 'x' } });
    }),
  );

  it(
    'should error only the refused channel when the server answers its subscribe with an error',
    marbles((m) => {
      const { socket } = setup(m, (s) => {
        s.open({ after: 1 });
        answering(s, (msg) => (msg.topic === 'secret' ? { id: msg.id, error: { code: 403, message: 'forbidden' } } : { id: msg.id, data: {} }));
        s.receive(JSON.stringify({ topic: 'prices', data: 7 }), { after: 10 });
      });
      m.scheduler.schedule(() => socket.close(), 20);
      m.expect(socket.channel('secret')).toBeObservable('--#', undefined, new RemoteError(403, 'forbidden'));
      m.expect(socket.channel('prices')).toBeObservable('----------a---------|', { a: 7 });
    }),
  );

  it(
    'should authenticate first, then resubscribe channels, then flush the outbox, on every reconnect',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s, i) => {
          s.open({ after: 5 });
          answering(s);
          if (i === 0) s.drop({ after: 20 });
        },
        { auth: ({ attempt }) => ({ type: 'auth', token: `t${attempt}` }) },
      );
      m.scheduler.schedule(() => socket.send({ type: 'early' }), 0);
      m.scheduler.schedule(() => socket.channel('a').subscribe(), 1);
      m.scheduler.schedule(() => socket.channel('b', { depth: 10 }).subscribe(), 2);
      m.scheduler.schedule(() => socket.send({ type: 'while-down' }), 25);
      m.scheduler.schedule(() => socket.close(), 80);
      m.flush();
      const summary = (s: TestSocket) => sent(s).map((msg) => [msg.type, msg.topic ?? msg.token ?? null]);
      expect(summary(transport.sockets[0]!)).to.deep.equal([
        ['auth', 't0'],
        ['subscribe', 'a'],
        ['subscribe', 'b'],
        ['early', null],
      ]);
      // Reconnect: auth (with a fresh token), then each live channel exactly once, then what was queued.
      expect(summary(transport.sockets[1]!)).to.deep.equal([
        ['auth', 't1'],
        ['subscribe', 'a'],
        ['subscribe', 'b'],
        ['while-down', null],
      ]);
      // Nothing but the auth message is written before its answer arrives (1 ms after the open at 45).
      const times = transport.sockets[1]!.written.filter((w) => w.frame.type === 'text').map((w) => w.time);
      expect(times).to.deep.equal([45, 46, 46, 46]);
    }),
  );

  it(
    'should end the socket with AuthError when authentication fails, and not reconnect',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s) => {
          s.open({ after: 5 });
          answering(s, (msg) => ({ id: msg.id, error: { code: 401, message: 'bad token' } }));
        },
        { auth: () => ({ type: 'auth', token: 'nope' }) },
      );
      m.expect(socket.messages$).toBeObservable('------#', undefined, new AuthError('remote error 401: bad token'));
      m.flush();
      expect(socket.state).to.include({ status: 'closed', gaveUp: true });
      expect(transport.sockets.length).to.equal(1);
    }),
  );

  it(
    'should retry authentication with fresh credentials when the policy says so',
    marbles((m) => {
      let calls = 0;
      const { transport, socket } = setup(
        m,
        (s, i) => {
          s.open({ after: 5 });
          answering(s, (msg) => (i === 0 ? { id: msg.id, error: { code: 401, message: 'expired' } } : { id: msg.id, data: {} }));
        },
        {
          auth: () => ({ type: 'auth', token: `t${++calls}` }),
          reconnect: { backoff: constantBackoff(20), policy: { errors: { RXNOVA_ERR_AUTH: 'retry' } } },
        },
      );
      m.scheduler.schedule(() => socket.close(), 60);
      m.flush();
      expect(transport.sockets.map((s) => sent(s)[0]!.token)).to.deep.equal(['t1', 't2']);
      expect(transport.sockets[1]!.openedAt).to.equal(31);
    }),
  );

  it(
    'should re-authenticate before the credentials expire',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s) => {
          s.open({ after: 5 });
          answering(s, (msg) => ({ id: msg.id, data: { expires_in: 1 } }));
        },
        { auth: { message: ({ refresh }) => ({ type: 'auth', refresh }), refreshBefore: 200 } },
      );
      const auths = events(socket, m.scheduler, 'authenticated');
      m.scheduler.schedule(() => socket.close(), 2000);
      m.flush();
      const writes = transport.last!.written.filter((w) => w.frame.type === 'text').map((w) => [w.time, (JSON.parse((w.frame as { data: string }).data) as Msg).refresh]);
      expect(writes).to.deep.equal([
        [5, false],
        [806, true],
        [1607, true],
      ]);
      expect(auths.map(([t]) => t)).to.deep.equal([6, 807, 1608]);
    }),
  );

  it(
    'should fail a request with RequestTimeoutError and report its late response',
    marbles((m) => {
      const { socket } = setup(m, (s) => {
        s.open({ after: 1 });
        answering(s, (msg) => ({ id: msg.id, data: 'late' }));
        s.onWrite((frame, sock) => frame.type === 'text' && sock.receive(JSON.stringify({ id: (JSON.parse(frame.data) as Msg).id, data: 'late' }), { after: 150 }));
      });
      const late = events(socket, m.scheduler, 'late-response');
      m.scheduler.schedule(() => socket.close(), 300);
      m.expect(socket.request({ type: 'get' }, { timeout: 100 })).toBeObservable('100ms #', undefined, new RequestTimeoutError(100, 1));
      m.flush();
      expect(late.map(([t, e]) => [t, e.type === 'late-response' && e.id])).to.deep.equal([[151, 1]]);
    }),
  );

  it(
    'should resolve requests to their own responses, in any order',
    marbles((m) => {
      const { socket } = setup(m, (s) => {
        s.open({ after: 1 });
        s.onWrite((frame, sock) => {
          if (frame.type !== 'text') return;
          const msg = JSON.parse(frame.data) as Msg;
          sock.receive(JSON.stringify({ id: msg.id, data: `re:${String(msg.q)}` }), { after: msg.q === 'slow' ? 10 : 2 });
        });
      });
      m.scheduler.schedule(() => socket.close(), 50);
      m.expect(socket.request({ type: 'get', q: 'slow' })).toBeObservable('-----------(a|)', { a: 're:slow' });
      m.expect(socket.request({ type: 'get', q: 'fast' })).toBeObservable('---(a|)', { a: 're:fast' });
    }),
  );

  it(
    "should fail an in-flight request with ConnectionClosedError by default ('fail': at most once)",
    marbles((m) => {
      const { socket } = setup(m, (s, i) => {
        s.open({ after: 1 });
        if (i === 0) s.drop({ after: 10 });
      });
      m.scheduler.schedule(() => socket.close(), 50);
      m.expect(socket.request({ type: 'get' })).toBeObservable('----------#', undefined, new ConnectionClosedError(1006, '', false));
    }),
  );

  it(
    "should send an in-flight request again after the reconnect with inFlight 'resend' (at least once)",
    marbles((m) => {
      const { transport, socket } = setup(m, (s, i) => {
        s.open({ after: 1 });
        if (i === 0) s.drop({ after: 10 });
        else s.onWrite((frame, sock) => frame.type === 'text' && sock.receive(JSON.stringify({ id: (JSON.parse(frame.data) as Msg).id, data: 'ok' }), { after: 2 }));
      });
      m.scheduler.schedule(() => socket.close(), 60);
      m.expect(socket.request({ type: 'get' }, { inFlight: 'resend' })).toBeObservable('---------------------------------(a|)', { a: 'ok' });
      m.flush();
      expect(transport.sockets.map((s) => sent(s).map((msg) => msg.id))).to.deep.equal([[1], [1]]);
      expect(transport.sockets[1]!.written[0]!.time).to.equal(31);
    }),
  );

  it(
    'should release rate-limited messages at the exact times the bucket refills, in order',
    marbles((m) => {
      const { transport, socket } = setup(m, (s) => s.open({ after: 1 }), {
        protocol: undefined,
        rateLimit: tokenBucket({ capacity: 2, refillPerSecond: 10, cost: (msg) => (msg.type === 'subscribe' ? 2 : 1) }),
      });
      m.scheduler.schedule(() => [1, 2, 3, 4, 5].forEach((n) => socket.send({ type: 'q', n })), 10);
      m.scheduler.schedule(() => socket.send({ type: 'subscribe', n: 6 }), 11);
      m.scheduler.schedule(() => socket.close(), 1000);
      m.flush();
      expect(transport.last!.written.filter((w) => w.frame.type === 'text').map((w) => [w.time, (JSON.parse((w.frame as { data: string }).data) as Msg).n])).to.deep.equal([
        [10, 1],
        [10, 2],
        [110, 3],
        [210, 4],
        [310, 5],
        [510, 6],
      ]);
    }),
  );

  it(
    'should send each channel exactly one subscribe per connection, even when a queued one missed its connection',
    marbles((m) => {
      const { transport, socket } = setup(
        m,
        (s, i) => {
          s.open({ after: 1 });
          if (i === 0) s.drop({ after: 50 });
        },
        { protocol: jsonTopics(), rateLimit: tokenBucket({ capacity: 1, refillPerSecond: 10 }) },
      );
      // Three channels at once: the bucket lets one subscribe through every 100 ms, so two still wait when the drop comes.
      m.scheduler.schedule(() => ['a', 'b', 'c'].forEach((topic) => socket.channel(topic).subscribe()), 5);
      m.scheduler.schedule(() => socket.close(), 500);
      m.flush();
      const topics = (s: TestSocket) => sent(s).map((msg) => [msg.type, msg.topic]);
      expect(topics(transport.sockets[0]!)).to.deep.equal([['subscribe', 'a']]);
      expect(topics(transport.sockets[1]!)).to.deep.equal([
        ['subscribe', 'a'],
        ['subscribe', 'b'],
        ['subscribe', 'c'],
      ]);
    }),
  );
});
