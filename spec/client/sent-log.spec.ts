import { expect } from 'chai';
import type { OutboxEntry } from '../../src/client/outbox';
import { SentLog } from '../../src/client/sent-log';
import type { TransportConnection } from '../../src/transport/transport';

/** A connection whose `written()` count the test sets. */
function connection(): { conn: TransportConnection & { written(): number }; left(n: number): void } {
  let count = 0;
  const conn = { written: () => count } as unknown as TransportConnection & { written(): number };
  return { conn, left: (n) => (count += n) };
}

const entry = (n: number): OutboxEntry<number> => ({ message: n, frame: { type: 'text', data: String(n) }, bytes: 1, expiresAt: Infinity });

describe('SentLog', () => {
  it('should give back, oldest first, the messages written after the last frame that left', () => {
    const { conn, left } = connection();
    const log = new SentLog<number>(conn);
    [1, 2, 3, 4].forEach((n) => log.add(entry(n)));
    left(2);
    expect(log.unsent().map((e) => e.message)).to.deep.equal([3, 4]);
  });

  it("should count the connection's own frames (pings, auth) without giving them back", () => {
    const { conn, left } = connection();
    const log = new SentLog<number>(conn);
    log.add(null); // auth
    log.add(entry(1));
    log.add(null); // ping
    log.add(null); // ping
    log.add(entry(2));
    left(3); // auth, 1, the first ping
    expect(log.unsent().map((e) => e.message)).to.deep.equal([2]);
  });

  it('should keep an idle socket’s pings in one number, not one slot each', () => {
    const { conn, left } = connection();
    const log = new SentLog<number>(conn);
    for (let i = 0; i < 10_000; i++) log.add(null);
    expect((log as unknown as { slots: unknown[] }).slots).to.deep.equal([10_000]);
    left(9_999);
    log.trim();
    log.add(entry(1));
    expect(log.unsent().map((e) => e.message)).to.deep.equal([1]);
  });

  it('should trim what has left and compact, keeping the count right across compactions', () => {
    const { conn, left } = connection();
    const log = new SentLog<number>(conn);
    for (let n = 0; n < 5000; n++) {
      log.add(entry(n));
      if (n % 3 === 0) log.add(null);
    }
    left(6000);
    log.trim();
    expect((log as unknown as { slots: unknown[] }).slots.length).to.be.below(1000);
    // 5000 messages and 1667 pings were written: 6667 frames, 6000 left; the last 667 are messages 4500.. with pings among them.
    const back = log.unsent().map((e) => e.message);
    expect(back[back.length - 1]).to.equal(4999);
    expect(back.length).to.equal(500);
  });
});
