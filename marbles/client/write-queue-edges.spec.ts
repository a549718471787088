import { expect } from 'chai';
import { Observable, SchedulerLike, VirtualTimeScheduler } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { text } from '../../src/client/codec';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { SocketEvent } from '../../src/client/events';
import { defineProtocol } from '../../src/client/define-protocol';
import { tokenBucket } from '../../src/client/rate-limit';
import type { Socket } from '../../src/client/socket';
import { ConnectionClosedError } from '../../src/errors';
import { jsonRpc } from '../../src/protocols/json-rpc';
import { jsonTopics } from '../../src/protocols/json-topics';
import { TestScript, TestTransport } from '../../src/testing/test-transport';
import type { Transport, TransportConnection } from '../../src/transport/transport';

function setup<In, Out>(scheduler: SchedulerLike, script: TestScript, options: ConnectOptions<In, Out> = {}) {
  const transport = new TestTransport({ scheduler, script });
  const socket: Socket<In, Out> = connect<In, Out>('ws://example.test/feed', { transport, scheduler, heartbeat: false, reconnect: { backoff: constantBackoff(20) }, ...options });
  const events: SocketEvent[] = [];
  socket.events$.subscribe((e) => events.push(e));
  return { transport, socket, events };
}

describe('the write queue at its edges', () => {
  it(
    'should say nothing (no requeued event) when a connection dies with everything it was given already gone',
    marbles((m) => {
      const { socket, events } = setup<unknown, unknown>(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).drop({ after: 50 }) : s.open({ after: 1 })));
      m.scheduler.schedule(() => socket.send({ n: 1 }), 10);
      m.scheduler.schedule(() => socket.close(), 200);
      m.flush();
      expect(events.filter((e) => e.type === 'requeued')).to.deep.equal([]);
      expect(events.filter((e) => e.type === 'opened')).to.have.length(2);
    }),
  );

  it(
    "should not send again a request that never left a dead connection under inFlight 'fail': it fails instead",
    marbles((m) => {
      const { transport, socket, events } = setup<unknown, unknown>(
        m.scheduler,
        (s) => (s.index === 0 ? s.open({ after: 1 }).stall({ after: 5 }).drop({ after: 50 }) : s.open({ after: 1 })),
        { protocol: jsonRpc() },
      );
      const outcome: string[] = [];
      m.scheduler.schedule(() => {
        (socket.request({ method: 'get' }) as Observable<unknown>).subscribe({
          next: () => outcome.push('answered'),
          error: (error: unknown) => outcome.push(error instanceof ConnectionClosedError ? 'failed: connection closed' : String(error)),
        });
      }, 10);
      m.scheduler.schedule(() => socket.close(), 200);
      m.flush();
      expect(outcome).to.deep.equal(['failed: connection closed']);
      expect(transport.sockets[1]!.writtenTexts).to.deep.equal([]);
      expect(events.filter((e) => e.type === 'requeued')).to.deep.equal([]);
    }),
  );

  it(
    'should pause writing only when the socket buffers more than the high-water mark, not exactly as much',
    marbles((m) => {
      // The buffered amount is read every 64 KiB written: 70 messages of 1 KiB cross that once.
      const { socket, events } = setup<string, string>(m.scheduler, (s) => s.open({ after: 1 }).setBufferedAmount(1000, { after: 2 }).setBufferedAmount(1001, { after: 20 }), {
        codec: { name: 'text', encode: (text: string) => text, decode: (data: string | Uint8Array) => String(data) },
        backpressure: { highWaterMark: 1000 },
      });
      const kib = 'x'.repeat(1024);
      m.scheduler.schedule(() => {
        for (let i = 0; i < 70; i++) socket.send(kib);
      }, 10);
      m.scheduler.schedule(() => {
        for (let i = 0; i < 70; i++) socket.send(kib);
      }, 30);
      m.scheduler.schedule(() => socket.close(), 40);
      m.flush();
      const pauses = events.filter((e): e is SocketEvent & { type: 'backpressure' } => e.type === 'backpressure' && e.paused);
      expect(pauses.map((e) => [e.time, e.bufferedAmount])).to.deep.equal([[30, 1001]]);
    }),
  );

  it(
    "should write a message larger than the outbox's maxBytes at once when the socket is open: the limits bound only what waits",
    marbles((m) => {
      const { transport, socket } = setup<string, string>(m.scheduler, (s) => s.open({ after: 1 }), { codec: text(), outbox: { maxBytes: 10 } });
      const big = 'x'.repeat(50);
      m.scheduler.schedule(() => socket.send(big), 10);
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(transport.sockets[0]!.writtenTexts).to.deep.equal([big]);
    }),
  );

  it(
    "should still write a message larger than maxBytes at once after the outbox and the channel lane have been used",
    marbles((m) => {
      const { transport, socket } = setup<unknown, unknown>(m.scheduler, (s) => s.open({ after: 1 }), { protocol: jsonTopics(), outbox: { maxBytes: 40 } });
      const big = { text: 'x'.repeat(50) };
      m.scheduler.schedule(() => socket.send({ n: 1 }), 0); // waits in the outbox until the open at 1
      m.scheduler.schedule(() => socket.channel('n').subscribe(), 5); // its subscribe is 39 bytes: it fits maxBytes
      m.scheduler.schedule(() => socket.send(big), 10);
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(transport.sockets[0]!.writtenTexts.filter((t) => t.includes('x'.repeat(50)))).to.have.length(1);
    }),
  );

  it(
    'should not let a cheap message overtake an expensive one that waits for rate-limit tokens',
    marbles((m) => {
      // 5 tokens, 10 a second: after the first message the second waits until 310 for its 3 tokens; at 200 there are 2.
      const { transport, socket } = setup<{ n: number }, { n: number }>(m.scheduler, (s) => s.open({ after: 1 }), {
        rateLimit: tokenBucket<{ n: number }>({ capacity: 5, refillPerSecond: 10, cost: (message) => message.n }),
      });
      m.scheduler.schedule(() => socket.send({ n: 5 }), 10);
      m.scheduler.schedule(() => socket.send({ n: 3 }), 11);
      m.scheduler.schedule(() => socket.send({ n: 1 }), 200);
      m.scheduler.schedule(() => socket.close(), 1000);
      m.flush();
      expect(transport.written.filter((w) => w.frame.type === 'text').map((w) => [w.time, (w.frame as { data: string }).data])).to.deep.equal([
        [10, '{"n":5}'],
        [310, '{"n":3}'],
        [410, '{"n":1}'],
      ]);
    }),
  );

  it('should keep one rate-limit timer, however many channel subscribes wait for tokens', () => {
    const scheduler = new VirtualTimeScheduler();
    scheduler.maxFrames = 1000;
    // A protocol with channels but no request ids: a subscribe waits for no acknowledgement, so no timer of its own.
    const protocol = defineProtocol<unknown, unknown>({ subscribe: (topic) => ({ op: 'sub', topic }), unsubscribe: (topic) => ({ op: 'unsub', topic }) });
    const transport = new TestTransport({ scheduler, script: (s) => s.open({ after: 1 }) });
    const socket = connect<unknown, unknown>('ws://example.test/feed', {
      transport,
      scheduler,
      heartbeat: false,
      protocol,
      rateLimit: tokenBucket({ capacity: 1, refillPerSecond: 1 }),
    });
    scheduler.schedule(() => {
      socket.send({ n: 1 }); // takes the only token
      socket.send({ n: 2 }); // waits a second for the next one
      for (const topic of ['a', 'b', 'c', 'd']) socket.channel(topic).subscribe();
    }, 10);
    scheduler.maxFrames = 20;
    scheduler.flush();
    expect(scheduler.actions.length).to.equal(1);
    socket.close();
  });

  it(
    'should read the buffered amount only every 64 KiB written, so smaller writes never pause on their own',
    marbles((m) => {
      const { socket, events } = setup<string, string>(m.scheduler, (s) => s.open({ after: 1 }).setBufferedAmount(5000, { after: 2 }), {
        codec: text(),
        backpressure: { highWaterMark: 1000 },
      });
      const kib = 'x'.repeat(1024);
      m.scheduler.schedule(() => {
        for (let i = 0; i < 63; i++) socket.send(kib);
      }, 10);
      m.scheduler.schedule(() => socket.send(kib), 20);
      m.scheduler.schedule(() => socket.close(), 40);
      m.flush();
      const pauses = events.filter((e) => e.type === 'backpressure' && e.paused);
      expect(pauses.map((e) => e.time)).to.deep.equal([20]);
    }),
  );

  it(
    'should write more than 64 KiB over a transport that cannot tell what has left the process',
    marbles((m) => {
      const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open({ after: 1 }) });
      const hide = (conn: TransportConnection): TransportConnection =>
        new Proxy(conn, { get: (target, key) => (key === 'written' ? undefined : Reflect.get(target, key, target)) });
      const blind: Transport = { name: transport.name, capabilities: transport.capabilities, open: (request) => hide(transport.open(request)) };
      const socket = connect<string, string>('ws://example.test/feed', { transport: blind, scheduler: m.scheduler, heartbeat: false, codec: text() });
      const kib = 'x'.repeat(1024);
      m.scheduler.schedule(() => {
        for (let i = 0; i < 70; i++) socket.send(kib);
      }, 10);
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(transport.sockets[0]!.writtenTexts).to.have.length(70);
    }),
  );

  it(
    "should not send again a request that waited for the open and never left under inFlight 'fail': it fails instead",
    marbles((m) => {
      // The link stalls before the open: what the opening drain writes never leaves.
      const { transport, socket, events } = setup<unknown, unknown>(
        m.scheduler,
        (s) => (s.index === 0 ? s.stall().open({ after: 1 }).drop({ after: 50 }) : s.open({ after: 1 })),
        { protocol: jsonRpc() },
      );
      const outcome: string[] = [];
      (socket.request({ method: 'get' }) as Observable<unknown>).subscribe({
        next: () => outcome.push('answered'),
        error: (error: unknown) => outcome.push(error instanceof ConnectionClosedError ? 'failed: connection closed' : String(error)),
      });
      m.scheduler.schedule(() => socket.close(), 200);
      m.flush();
      expect(outcome).to.deep.equal(['failed: connection closed']);
      expect(transport.sockets[0]!.writtenTexts).to.have.length(1);
      expect(transport.sockets[1]!.writtenTexts).to.deep.equal([]);
      expect(events.filter((e) => e.type === 'requeued')).to.deep.equal([]);
    }),
  );

  it(
    'should send again a message with a receipt that waited for the open and never left the dead connection',
    marbles((m) => {
      const { transport, socket, events } = setup<unknown, unknown>(m.scheduler, (s) =>
        s.index === 0 ? s.stall().open({ after: 1 }).drop({ after: 50 }) : s.open({ after: 1 }),
      );
      const receipt: string[] = [];
      socket.sendWithReceipt({ n: 1 }).subscribe({ complete: () => receipt.push(`written at ${m.scheduler.now()}`) });
      m.scheduler.schedule(() => socket.close(), 200);
      m.flush();
      expect(transport.sockets.map((s) => s.writtenTexts)).to.deep.equal([['{"n":1}'], ['{"n":1}']]);
      expect(receipt).to.deep.equal(['written at 1']);
      expect(events.filter((e) => e.type === 'requeued').map((e) => (e as { count: number }).count)).to.deep.equal([1]);
    }),
  );

  it(
    'should send again in their first order the messages that never left, even when a write re-entered send()',
    marbles((m) => {
      let socket: Socket<unknown, unknown> | undefined;
      let reentered = false;
      // The first link stalls before the open; writing the first message makes the transport call back into send().
      const { transport, socket: s0 } = setup<unknown, unknown>(m.scheduler, (s) =>
        s.index === 0
          ? s
              .stall()
              .onWrite(() => {
                if (reentered) return;
                reentered = true;
                socket!.send({ n: 3 });
              })
              .open({ after: 1 })
              .drop({ after: 50 })
          : s.open({ after: 1 }),
      );
      socket = s0;
      socket.send({ n: 1 });
      socket.send({ n: 2 });
      m.scheduler.schedule(() => socket!.close(), 200);
      m.flush();
      const order = ['{"n":1}', '{"n":2}', '{"n":3}'];
      expect(transport.sockets.map((s) => s.writtenTexts)).to.deep.equal([order, order]);
    }),
  );
});
