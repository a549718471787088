import { expect } from 'chai';
import { SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import { tokenBucket } from '../../src/client/rate-limit';
import type { SocketState } from '../../src/client/state';
import { NotOpenError } from '../../src/errors';
import { TestTransport } from '../../src/testing/test-transport';
import type { Transport, TransportConnection } from '../../src/transport/transport';

type Msg = { n: number };

/** A TestTransport whose first connection throws `error` from its first write (before the frame reaches the socket). */
function failingFirstWrite(transport: TestTransport, error: Error): Transport {
  let opened = 0;
  const wrap = (conn: TransportConnection): TransportConnection => {
    if (opened++ > 0) return conn;
    let thrown = false;
    const frames = new Proxy(conn.frames, {
      get: (target, key) =>
        key === 'next' && !thrown
          ? () => {
              thrown = true;
              throw error;
            }
          : Reflect.get(target, key, target),
    });
    return new Proxy(conn, { get: (target, key) => (key === 'frames' ? frames : Reflect.get(target, key, target)) });
  };
  return { name: transport.name, capabilities: transport.capabilities, open: (request) => wrap(transport.open(request)) };
}

function setup(scheduler: SchedulerLike, error: Error, options: ConnectOptions<Msg, Msg> = {}) {
  const transport = new TestTransport({
    scheduler,
    script: (s) => (s.index === 0 ? s.open({ after: 1 }).drop({ after: 50 }) : s.open({ after: 1 })),
  });
  const socket = connect<Msg, Msg>('ws://example.test/feed', {
    transport: failingFirstWrite(transport, error),
    scheduler,
    heartbeat: false,
    reconnect: { backoff: constantBackoff(100) },
    ...options,
  });
  const states: SocketState[] = [];
  socket.state$.subscribe((state) => states.push(state));
  return { socket, states, texts: () => transport.sockets.map((s) => s.writtenTexts), transport };
}

describe('a write the transport refuses', () => {
  it(
    'should keep the message when the socket says it is not open, and send it on the next connection',
    marbles((m) => {
      const { socket, texts } = setup(m.scheduler, new NotOpenError('CLOSING'));
      m.scheduler.schedule(() => socket.send({ n: 1 }), 10);
      m.scheduler.schedule(() => socket.send({ n: 2 }), 20);
      m.scheduler.schedule(() => expect(socket.queued).to.equal(2), 30);
      m.scheduler.schedule(() => socket.close(), 400);
      m.flush();
      expect(texts()).to.deep.equal([[], ['{"n":1}', '{"n":2}']]);
    }),
  );

  it(
    'should fail the connection with any other error the transport throws, the message queued meanwhile',
    marbles((m) => {
      const fault = new Error('transport fault');
      const { socket, states } = setup(m.scheduler, fault);
      m.scheduler.schedule(() => socket.send({ n: 1 }), 10);
      m.scheduler.schedule(() => expect(socket.queued).to.equal(1), 11);
      m.flush();
      const last = states[states.length - 1]!;
      expect(last.status).to.equal('closed');
      expect(last.status === 'closed' && last.error).to.equal(fault);
    }),
  );

  it(
    'should keep a message that waited for the open when the socket then says it is not open, and send it on the next connection',
    marbles((m) => {
      const { socket, texts } = setup(m.scheduler, new NotOpenError('CLOSING'));
      socket.send({ n: 1 }); // waits in the outbox; the opening drain's write is refused
      socket.send({ n: 2 });
      m.scheduler.schedule(() => expect(socket.queued).to.equal(2), 30);
      m.scheduler.schedule(() => socket.close(), 400);
      m.flush();
      expect(texts()).to.deep.equal([[], ['{"n":1}', '{"n":2}']]);
    }),
  );

  it(
    'should give back the rate-limit token of a refused write, so the message goes out as soon as the next connection opens',
    marbles((m) => {
      // One token, one a second: had the refused write kept it, the message would wait until 1000 on the next connection.
      const { socket, transport } = setup(m.scheduler, new NotOpenError('CLOSING'), { rateLimit: tokenBucket({ capacity: 1, refillPerSecond: 1 }) });
      socket.send({ n: 1 });
      m.scheduler.schedule(() => socket.close(), 400);
      m.flush();
      const second = transport.sockets[1]!;
      expect(second.written.filter((w) => w.frame.type === 'text').map((w) => w.time)).to.deep.equal([second.openedAt]);
      expect(second.openedAt).to.be.below(400);
    }),
  );
});
