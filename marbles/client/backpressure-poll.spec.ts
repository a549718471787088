import { expect } from 'chai';
import { SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { text } from '../../src/client/codec';
import { connect } from '../../src/client/connect';
import { TestScript, TestTransport } from '../../src/testing/test-transport';
import type { Transport, TransportConnection } from '../../src/transport/transport';

/** A TestTransport whose connections have no `drained()` signal, like a transport that can only report `bufferedAmount`. */
function withoutDrained(transport: TestTransport): Transport {
  const hide = (conn: TransportConnection): TransportConnection =>
    new Proxy(conn, { get: (target, key) => (key === 'drained' ? undefined : Reflect.get(target, key, target)) });
  return { name: transport.name, capabilities: transport.capabilities, open: (request) => hide(transport.open(request)) };
}

const BIG = 'x'.repeat(64 * 1024);
const HIGH_WATER_MARK = 100_000;

function setup(scheduler: SchedulerLike, script: TestScript) {
  const transport = new TestTransport({ scheduler, script });
  const socket = connect<string, string>('ws://example.test/feed', {
    transport: withoutDrained(transport),
    scheduler,
    heartbeat: false,
    codec: text(),
    backpressure: { highWaterMark: HIGH_WATER_MARK, pollInterval: 10 },
  });
  /** When each small message was written. */
  const smallWrites = () =>
    transport.written.flatMap(({ time, frame }) => (frame.type === 'text' && frame.data !== BIG ? [[time, frame.data]] : []));
  return { socket, smallWrites };
}

// Without a drain signal the client reads bufferedAmount every pollInterval while it is paused, and writes again
// once the buffer is at or below the high-water mark.
describe('backpressure on a transport without drained()', () => {
  it(
    'should pause above the high-water mark and resume at the first poll that finds the buffer at the mark',
    marbles((m) => {
      const { socket, smallWrites } = setup(m.scheduler, (s) =>
        s.open({ after: 1 }).setBufferedAmount(500_000, { after: 5 }).setBufferedAmount(HIGH_WATER_MARK, { after: 45 }),
      );
      m.scheduler.schedule(() => socket.send(BIG), 10); // 64 KiB written: the buffer is read, and is above the mark
      m.scheduler.schedule(() => socket.send('small'), 12);
      m.scheduler.schedule(() => socket.close(), 200);
      m.flush();
      // Polls at 20, 30, 40 find 500000; the one at 50 finds exactly the mark.
      expect(smallWrites()).to.deep.equal([[50, 'small']]);
    }),
  );

  it(
    'should keep polling while the buffer stays above the mark',
    marbles((m) => {
      const { socket, smallWrites } = setup(m.scheduler, (s) => s.open({ after: 1 }).setBufferedAmount(500_000, { after: 5 }));
      m.scheduler.schedule(() => socket.send(BIG), 10);
      m.scheduler.schedule(() => socket.send('small'), 12);
      m.scheduler.schedule(() => expect(socket.queued).to.equal(1), 190);
      m.scheduler.schedule(() => socket.close(), 200);
      m.flush();
      expect(smallWrites()).to.deep.equal([]);
    }),
  );
});
