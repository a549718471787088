import { expect } from 'chai';
import { Observable, SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import { MessageDroppedError, SocketClosedError } from '../../src/errors';
import { TestScript, TestTransport } from '../../src/testing/test-transport';
import { plainSocket } from './socket-support';

type Msg = { n: number };

function setup(scheduler: SchedulerLike, script: TestScript, options: ConnectOptions<Msg, Msg> = {}) {
  const { transport, socket } = plainSocket<Msg>(scheduler, script, { reconnect: { backoff: constantBackoff(100) }, ...options });
  return { transport, socket };
}

/** What became of a receipt, and when: `['written', t]` or `['dropped', t, reason]`. */
function fate(scheduler: SchedulerLike, receipt: Observable<void>): Array<[string, number, string?]> {
  const seen: Array<[string, number, string?]> = [];
  receipt.subscribe({
    next: () => seen.push(['next', scheduler.now()]),
    complete: () => seen.push(['written', scheduler.now()]),
    error: (error: unknown) => seen.push(['dropped', scheduler.now(), error instanceof MessageDroppedError ? error.reason : String(error)]),
  });
  return seen;
}

describe('sendWithReceipt()', () => {
  it(
    'should complete at once when the message is written to the open socket at once',
    marbles((m) => {
      const { socket } = setup(m.scheduler, (s) => s.open({ after: 1 }));
      let seen: Array<[string, number, string?]> = [];
      m.scheduler.schedule(() => (seen = fate(m.scheduler, socket.sendWithReceipt({ n: 1 }))), 10);
      m.scheduler.schedule(() => socket.close(), 20);
      m.flush();
      expect(seen).to.deep.equal([['written', 10]]);
    }),
  );

  it(
    'should complete when a queued message is written after the open, and tell a late subscriber the same',
    marbles((m) => {
      const { socket } = setup(m.scheduler, (s) => s.open({ after: 50 }));
      const receipt = socket.sendWithReceipt({ n: 1 });
      const seen = fate(m.scheduler, receipt);
      let late: Array<[string, number, string?]> = [];
      m.scheduler.schedule(() => (late = fate(m.scheduler, receipt)), 80);
      m.scheduler.schedule(() => socket.close(), 100);
      m.flush();
      expect(seen).to.deep.equal([['written', 50]]);
      expect(late).to.deep.equal([['written', 80]]);
    }),
  );

  it(
    'should error with MessageDroppedError naming the reason: expired, overflow, closed',
    marbles((m) => {
      const { socket } = setup(m.scheduler, (s) => s.refuse({ after: 1 }), { outbox: { maxMessages: 2, overflow: 'drop-oldest' } });
      const expired = fate(m.scheduler, socket.sendWithReceipt({ n: 1 }, { ttl: 30 }));
      const pushedOut = fate(m.scheduler, socket.sendWithReceipt({ n: 2 }));
      m.scheduler.schedule(() => {
        socket.sendWithReceipt({ n: 3 });
      }, 40);
      let closed: Array<[string, number, string?]> = [];
      m.scheduler.schedule(() => (closed = fate(m.scheduler, socket.sendWithReceipt({ n: 4 }))), 50);
      m.scheduler.schedule(() => socket.close(), 60);
      m.flush();
      expect(expired).to.deep.equal([['dropped', 30, 'expired']]);
      // n2 and n3 fill the outbox; n4 pushes n2 out.
      expect(pushedOut).to.deep.equal([['dropped', 50, 'overflow']]);
      expect(closed).to.deep.equal([['dropped', 60, 'closed']]);
    }),
  );

  it(
    'should error with reason closed when the socket gives up with the message still queued',
    marbles((m) => {
      const { socket } = setup(m.scheduler, (s) => s.refuse({ after: 1 }), { reconnect: { backoff: constantBackoff(100), maxAttempts: 1 } });
      const seen = fate(m.scheduler, socket.sendWithReceipt({ n: 1 }));
      m.flush();
      expect(seen).to.deep.equal([['dropped', 102, 'closed']]);
    }),
  );

  it(
    'should send again a message that never left a connection that died, its receipt already complete',
    marbles((m) => {
      const { transport, socket } = setup(m.scheduler, (s) => (s.index === 0 ? s.open({ after: 1 }).stall({ after: 5 }).drop({ after: 50 }) : s.open({ after: 1 })));
      let seen: Array<[string, number, string?]> = [];
      m.scheduler.schedule(() => (seen = fate(m.scheduler, socket.sendWithReceipt({ n: 7 }))), 10);
      m.scheduler.schedule(() => socket.close(), 300);
      m.flush();
      expect(seen).to.deep.equal([['written', 10]]);
      expect(transport.sockets.map((s) => s.writtenTexts)).to.deep.equal([['{"n":7}'], ['{"n":7}']]);
    }),
  );

  it('should throw what send() throws: SocketClosedError after close()', () => {
    const socket = connect('ws://example.test/', { transport: new TestTransport(), heartbeat: false });
    socket.close();
    expect(() => socket.sendWithReceipt({ n: 1 })).to.throw(SocketClosedError, /sendWithReceipt\(\)/);
  });
});
