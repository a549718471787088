import { expect } from 'chai';
import { Liveness } from '../../src/client/liveness';
import type { TransportConnection, TransportState } from '../../src/transport/transport';

/** A connection whose counters the test sets: bytes handed over, bytes still buffered, Node's write queue. */
function link() {
  const state = { bytesSent: 0, bufferedAmount: 0, writing: undefined as number | undefined };
  const conn = { state: () => state as unknown as TransportState } as TransportConnection;
  return { conn, state };
}

const TIMEOUT = 500;
const STALL = 2000;

describe('Liveness (whether an unanswered ping may still be on its way)', () => {
  it('should give no more time to a ping with nothing sent ahead of it', () => {
    const { conn } = link();
    const liveness = new Liveness(conn);
    liveness.pinged(1000);
    // Deadline 1000 + 500: nothing more.
    expect(liveness.extend(1000, 1500, TIMEOUT, STALL)).to.equal(0);
  });

  it('should give a ping the time the data sent ahead of it needs at 8 bytes/ms, at most stallTimeout', () => {
    const { conn, state } = link();
    const liveness = new Liveness(conn);
    state.bytesSent = 8000; // handed over, and taken by the operating system (nothing buffered)
    liveness.pinged(1000);
    expect(liveness.extend(1000, 1500, TIMEOUT, STALL)).to.equal(1000);
    state.bytesSent = 80_000;
    liveness.pinged(2000);
    expect(liveness.extend(2000, 2500, TIMEOUT, STALL), 'capped').to.equal(STALL);
  });

  it('should count only what was sent since the last pong: it proves everything before its ping arrived', () => {
    const { conn, state } = link();
    const liveness = new Liveness(conn);
    state.bytesSent = 8000;
    liveness.pinged(1000);
    liveness.ponged();
    state.bytesSent = 8800;
    liveness.pinged(2000);
    expect(liveness.extend(2000, 2500, TIMEOUT, STALL)).to.equal(100);
  });

  it('should keep a ping alive while the socket’s backlog moves, looking again after a timeout', () => {
    const { conn, state } = link();
    const liveness = new Liveness(conn);
    state.bytesSent = 100_000;
    state.bufferedAmount = 60_000;
    liveness.pinged(1000); // the backlog is first seen: its stall counts from here
    state.bufferedAmount = 50_000; // a write completed
    expect(liveness.extend(1000, 2900, TIMEOUT, STALL)).to.equal(TIMEOUT);
    state.writing = 4096; // the operating system took part of the write in progress
    expect(liveness.extend(1000, 4800, TIMEOUT, STALL)).to.equal(TIMEOUT);
  });

  it('should count new data added to a backlog that did not move as no progress', () => {
    const { conn, state } = link();
    const liveness = new Liveness(conn);
    state.bytesSent = 100_000;
    state.bufferedAmount = 60_000;
    liveness.pinged(1000);
    // 10 KB more handed over and all of it still buffered: nothing left the socket.
    state.bytesSent = 110_000;
    state.bufferedAmount = 70_000;
    expect(liveness.extend(1000, 2900, TIMEOUT, STALL), 'within the stall, looked at again when it would be complete').to.equal(100);
    // Stalled for stallTimeout; the 100 KB sent ahead of the ping still give it until 1000 + 500 + 2000 (capped).
    expect(liveness.extend(1000, 3000, TIMEOUT, STALL)).to.equal(500);
    expect(liveness.extend(1000, 3500, TIMEOUT, STALL)).to.equal(0);
  });

  it('should declare a backlog that has not moved for stallTimeout dead once the queued-ahead allowance is spent too', () => {
    const { conn, state } = link();
    const liveness = new Liveness(conn);
    state.bytesSent = 4000;
    state.bufferedAmount = 4000;
    liveness.pinged(1000);
    // Stalled since 1000; the 4000 bytes ahead need 500 ms: deadline 1000 + 500 + 500.
    expect(liveness.extend(1000, 3000, TIMEOUT, STALL)).to.be.at.most(0);
  });

  it('should keep at most 16 unanswered pings, dropping the oldest', () => {
    const { conn, state } = link();
    const liveness = new Liveness(conn);
    for (let i = 1; i <= 20; i++) {
      state.bytesSent = i * 1000;
      liveness.pinged(i * 1000);
    }
    // The oldest kept is the ping of 5000 (bytes 5000): a pong answers it.
    liveness.ponged();
    state.bytesSent = 20_000;
    // Ping of 20,000: 15,000 bytes since the answered one, 1875 ms at 8 bytes/ms.
    expect(liveness.extend(20_000, 20_500, TIMEOUT, STALL)).to.equal(1875);
  });

  it('should measure a ping by what was sent before it, not by what was sent after it', () => {
    const { conn, state } = link();
    const liveness = new Liveness(conn);
    state.bytesSent = 8000;
    liveness.pinged(1000);
    state.bytesSent = 16_000;
    liveness.pinged(1200);
    state.bytesSent = 24_000;
    // The ping of 1000 had 8000 bytes ahead of it: 1000 ms more, not the 2000 ms the later data would need.
    expect(liveness.extend(1000, 1500, TIMEOUT, STALL)).to.equal(1000);
    expect(liveness.extend(1200, 1700, TIMEOUT, STALL)).to.equal(STALL);
  });

  it('should round the time the data ahead needs up to a whole millisecond', () => {
    const { conn, state } = link();
    const liveness = new Liveness(conn);
    state.bytesSent = 8004;
    liveness.pinged(1000);
    expect(liveness.extend(1000, 1500, TIMEOUT, STALL)).to.equal(1001);
  });

  it('should ignore a pong that answers no ping', () => {
    const { conn, state } = link();
    const liveness = new Liveness(conn);
    liveness.ponged();
    state.bytesSent = 800;
    liveness.pinged(1000);
    expect(liveness.extend(1000, 1500, TIMEOUT, STALL)).to.equal(100);
  });
});

