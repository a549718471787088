import { expect } from 'chai';
import { Observable, SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { SocketEvent } from '../../src/client/events';
import type { Socket } from '../../src/client/socket';
import { ConnectionClosedError } from '../../src/errors';
import { jsonRpc } from '../../src/protocols/json-rpc';
import { TestScript, TestTransport } from '../../src/testing/test-transport';

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
});
