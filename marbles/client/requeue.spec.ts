import { expect } from 'chai';
import { SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { Socket } from '../../src/client/socket';
import { OutboxFullError } from '../../src/errors';
import { TestTransport } from '../../src/testing/test-transport';

type Msg = { n: number };

/** The first connection opens at 1, stalls at 5 (what is written then never leaves) and drops at 50; the next opens `reopen` ms after its dial. */
function setup(scheduler: SchedulerLike, options: ConnectOptions<Msg, Msg> = {}, reopen = 1) {
  const transport = new TestTransport({
    scheduler,
    script: (s) => (s.index === 0 ? s.open({ after: 1 }).stall({ after: 5 }).drop({ after: 50 }) : s.open({ after: reopen })),
  });
  const socket: Socket<Msg, Msg> = connect<Msg, Msg>('ws://example.test/feed', {
    transport,
    scheduler,
    heartbeat: false,
    reconnect: { backoff: constantBackoff(100) },
    ...options,
  });
  return { transport, socket, texts: () => transport.sockets.map((s) => s.writtenTexts) };
}

// A message written to a connection that died before the message left the process is sent again on the next
// connection, as if it had waited in the outbox all along: its ttl counts from send(), and its size counts
// against maxBytes.
describe('messages handed back from a connection that died', () => {
  it(
    'should send again a message written at once whose ttl has not run out by the next connection',
    marbles((m) => {
      const { socket, texts } = setup(m.scheduler, { outbox: { ttl: 1000 } });
      m.scheduler.schedule(() => socket.send({ n: 1 }), 10);
      m.scheduler.schedule(() => socket.close(), 400);
      m.flush();
      expect(texts()).to.deep.equal([['{"n":1}'], ['{"n":1}']]);
    }),
  );

  it(
    'should drop, not send again, a message written at once whose ttl ran out while it waited for the next connection',
    marbles((m) => {
      const { socket, texts } = setup(m.scheduler, { outbox: { ttl: 100 } });
      const drops: [number, string][] = [];
      socket.events$.subscribe((event) => {
        if (event.type === 'dropped') drops.push([m.scheduler.now(), event.reason]);
      });
      m.scheduler.schedule(() => socket.send({ n: 1 }), 10);
      m.scheduler.schedule(() => socket.close(), 400);
      m.flush();
      // Sent at 10 with a ttl of 100: it expires at 110, while the socket waits to reconnect (at 151).
      expect(texts()).to.deep.equal([['{"n":1}'], []]);
      expect(drops).to.deep.equal([[110, 'expired']]);
    }),
  );

  it(
    'should count a handed-back message against maxBytes while the socket is down',
    marbles((m) => {
      // '{"n":1}' is 7 bytes: with maxBytes 10, the handed-back message leaves no room for a second one.
      const { socket } = setup(m.scheduler, { outbox: { maxBytes: 10 } }, 1000);
      let refusal: unknown;
      m.scheduler.schedule(() => socket.send({ n: 1 }), 10);
      m.scheduler.schedule(() => {
        expect(socket.queued).to.equal(1);
        try {
          socket.send({ n: 2 });
        } catch (error) {
          refusal = error;
        }
      }, 60);
      m.scheduler.schedule(() => socket.close(), 400);
      m.flush();
      expect(refusal).to.be.instanceOf(OutboxFullError);
    }),
  );
});
