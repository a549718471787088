import { expect } from 'chai';
import { Subject } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import type { Context } from 'rxjs-marbles/mocha';
import { Outbox, OutboxEntry } from '../../src/client/outbox';
import { textFrame } from '../../src/frame';

/** An outbox on the test's scheduler; `drops` emits each expired message (`m:reason` for other reasons). */
function make(m: Context, ttl?: number) {
  const drops = new Subject<string>();
  const outbox = new Outbox<string>(ttl === undefined ? {} : { ttl }, m.scheduler, (entry, reason) =>
    drops.next(reason === 'expired' ? entry.message : `${entry.message}:${reason}`),
  );
  const push = (message: string, ttl?: number) => outbox.push(message, textFrame(message), message.length, ttl);
  const at = (ms: number, work: () => void) => m.scheduler.schedule(work, ms);
  return { outbox, drops, push, at };
}

/** An entry as the write queue hands it back: a message shifted earlier, expiring at `expiresAt`. */
const entry = (message: string, expiresAt: number): OutboxEntry<string> => ({ message, frame: textFrame(message), bytes: message.length, expiresAt });

// Messages whose ttls do not follow the push order: each must still expire at its own time, however the outbox
// keeps them (its fast path assumes deadlines in order, and must notice when they are not).
describe('Outbox expiry out of order', () => {
  it(
    'should expire a shorter-lived message pushed after a longer-lived one at its own time, not with the older one',
    marbles((m) => {
      const { drops, push, at } = make(m);
      push('a', 10);
      at(5, () => push('b', 3));
      m.expect(drops).toBeObservable('8ms b 1ms a');
    }),
  );

  it(
    'should keep expiring at each deadline after a sweep leaves messages out of order',
    marbles((m) => {
      const { outbox, drops, push } = make(m);
      // Deadlines 100, 50, 300, 200: after b at 50, a, c, d remain out of order; d must still go at 200, before c.
      push('a', 100);
      push('b', 50);
      push('c', 300);
      push('d', 200);
      m.expect(drops).toBeObservable('50ms b 49ms a 99ms d 99ms c');
      m.flush();
      expect([outbox.size, outbox.bytes]).to.deep.equal([0, 0]);
    }),
  );

  it(
    'should expire a message put back into an empty outbox at its deadline',
    marbles((m) => {
      const { outbox, drops, push, at } = make(m);
      push('a', 100);
      at(10, () => outbox.unshift(outbox.shift()!));
      m.expect(drops).toBeObservable('100ms a');
    }),
  );

  it(
    'should expire the messages behind one put back at the head that lives longer',
    marbles((m) => {
      const { outbox, drops, push, at } = make(m);
      push('y', 100);
      at(10, () => outbox.unshift(entry('x', 300)));
      m.expect(drops).toBeObservable('100ms y 199ms x');
      m.flush();
      expect(outbox.size).to.equal(0);
    }),
  );

  it(
    'should still skip and report an expired message on peek and shift after dispose, from its deadline on',
    marbles((m) => {
      const { outbox, drops, push, at } = make(m, 10);
      const seen: (string | undefined)[] = [];
      push('a');
      push('b', 20);
      outbox.dispose();
      at(9, () => seen.push(outbox.peek()?.message));
      at(10, () => seen.push(outbox.peek()?.message));
      at(20, () => seen.push(outbox.shift()?.message));
      m.expect(drops).toBeObservable('10ms a 9ms b');
      m.flush();
      expect(seen).to.deep.equal(['a', 'b', undefined]);
      expect([outbox.size, outbox.bytes]).to.deep.equal([0, 0]);
    }),
  );
});
