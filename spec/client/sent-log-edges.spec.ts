import { expect } from 'chai';
import type { OutboxEntry } from '../../src/client/outbox';
import { SentLog } from '../../src/client/sent-log';
import type { TransportConnection } from '../../src/transport/transport';

/** A log on a connection whose `written()` count the test moves on with `left(n)`. */
function make() {
  let count = 0;
  const conn = { written: () => count } as unknown as TransportConnection & { written(): number };
  const log = new SentLog<number>(conn);
  const entry = (n: number): OutboxEntry<number> => ({ message: n, frame: { type: 'text', data: String(n) }, bytes: 1, expiresAt: Infinity });
  return { log, entry, left: (n: number) => (count += n), unsent: () => log.unsent().map((e) => e.message) };
}

// Each case is a way a message could be sent twice (counted as unsent after it left) or lost (counted as left
// while it still sat in the socket's buffer) when a connection dies.
describe('SentLog at its edges', () => {
  it("should keep a message whose connection's own frames left before it only in part", () => {
    const { log, entry, left, unsent } = make();
    log.add(null);
    log.add(null);
    log.add(null); // three pings, one slot
    log.add(entry(1));
    left(3); // the three pings, not message 1
    log.trim();
    expect(unsent()).to.deep.equal([1]);
  });

  it('should count what is left of a slot of pings after part of it went, across trims', () => {
    const { log, entry, left, unsent } = make();
    [null, null, null].forEach(() => log.add(null));
    log.add(entry(1));
    left(1);
    log.trim(); // two pings still to go
    left(3); // the two pings and message 1
    log.trim();
    expect(unsent()).to.deep.equal([]);
  });

  it('should forget each message once it left, trim after trim', () => {
    const { log, entry, left, unsent } = make();
    log.add(entry(1));
    log.add(entry(2));
    left(1);
    log.trim();
    left(1);
    log.trim();
    expect(unsent()).to.deep.equal([]);
  });

  it('should count a ping written after every earlier frame left as a new slot, not as part of a spent one', () => {
    const { log, entry, left, unsent } = make();
    [null, null, null].forEach(() => log.add(null));
    left(3);
    log.trim();
    log.add(null);
    log.add(entry(1));
    left(1); // that ping
    log.trim();
    expect(unsent()).to.deep.equal([1]);
  });

  it('should ignore writes after it is sealed, and keep the count it was sealed with', () => {
    const { log, entry, left, unsent } = make();
    log.add(entry(1));
    log.add(entry(2));
    log.seal();
    log.add(entry(3));
    left(2); // the count moved on for another connection
    log.trim();
    expect(unsent()).to.deep.equal([1, 2]);
  });

  it('should give back what was unsent when sealed, even if the count moves on before unsent() is asked', () => {
    const { log, entry, left, unsent } = make();
    log.add(entry(1));
    log.add(entry(2));
    left(1);
    log.seal();
    left(5);
    expect(unsent()).to.deep.equal([2]);
    expect(unsent()).to.deep.equal([]);
  });
});
