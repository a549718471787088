import { expect } from 'chai';
import { Subject } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import type { Context } from 'rxjs-marbles/mocha';
import { Outbox, OutboxConfig } from '../../src/client/outbox';
import { textFrame } from '../../src/frame';

/** Pushes each value of `pushes` (a hot marble) into an outbox; `drops` emits each dropped message (`m:reason` unless expired). */
function harness(m: Context, config: OutboxConfig, pushes: string, ttls: Record<string, number> = {}) {
  const drops = new Subject<string>();
  const outbox = new Outbox<string>(config, m.scheduler, (entry, reason) =>
    drops.next(reason === 'expired' ? entry.message : `${entry.message}:${reason}`),
  );
  m.hot(pushes).subscribe((message) => outbox.push(message, textFrame(message), message.length, ttls[message]));
  return { outbox, drops };
}

describe('Outbox expiry', () => {
  it(
    'should report each message expired at exactly its ttl, re-arming after each sweep',
    marbles((m) => {
      const { outbox, drops } = harness(m, { ttl: 10 }, 'a 4ms b 2ms c');
      m.expect(drops).toBeObservable('10ms a 4ms b 2ms c');
      m.flush();
      expect(outbox.size).to.equal(0);
      expect(outbox.bytes).to.equal(0);
    }),
  );

  it(
    'should report messages that expire at the same time together, oldest first',
    marbles((m) => {
      const { drops } = harness(m, { ttl: 10 }, '(ab) 2ms c');
      m.expect(drops).toBeObservable('10ms (ab) 2ms c');
    }),
  );

  it(
    'should honour a per-message ttl that expires before older messages',
    marbles((m) => {
      const { outbox, drops } = harness(m, { ttl: 10 }, 'a 4ms b 1ms c', { b: 3, c: Infinity });
      // b (pushed at 5, ttl 3) expires at 8; a at 10; c never.
      m.expect(drops).toBeObservable('8ms b 1ms a');
      m.flush();
      expect(outbox.size).to.equal(1);
      expect(outbox.shift()?.message).to.equal('c');
    }),
  );

  it(
    'should expire a message with its own ttl when the outbox has none',
    marbles((m) => {
      const { outbox, drops } = harness(m, {}, 'a b c', { b: 5 });
      m.expect(drops).toBeObservable('- 5ms b');
      m.flush();
      expect([outbox.shift()?.message, outbox.shift()?.message, outbox.shift()]).to.deep.equal(['a', 'c', undefined]);
    }),
  );

  it(
    'should not report messages shifted before they expired',
    marbles((m) => {
      const { outbox, drops } = harness(m, { ttl: 10 }, 'a 4ms b');
      const shifted: string[] = [];
      m.scheduler.schedule(() => shifted.push(outbox.shift()?.message ?? 'none'), 7);
      m.expect(drops).toBeObservable('15ms b');
      m.flush();
      expect(shifted).to.deep.equal(['a']);
    }),
  );

  it(
    'should keep the expiry time of a message put back with unshift',
    marbles((m) => {
      const { outbox, drops } = harness(m, { ttl: 10 }, 'a 4ms b');
      m.scheduler.schedule(() => {
        const entry = outbox.shift();
        m.scheduler.schedule(() => entry && outbox.unshift(entry), 1);
      }, 6);
      m.expect(drops).toBeObservable('10ms a 4ms b');
    }),
  );

  it(
    'should skip and report expired messages on shift once disposed',
    marbles((m) => {
      const { outbox, drops } = harness(m, { ttl: 10 }, 'a 4ms b 9ms c');
      const shifted: string[] = [];
      m.scheduler.schedule(() => outbox.dispose(), 1);
      m.scheduler.schedule(() => shifted.push(outbox.shift()?.message ?? 'none'), 17);
      // Disposed: no sweep at 10 or 15; the shift at 17 drops a and b (expired) and returns c.
      m.expect(drops).toBeObservable('17ms (ab)');
      m.flush();
      expect(shifted).to.deep.equal(['c']);
    }),
  );

  it(
    'should cancel the expiry timer on clear',
    marbles((m) => {
      const { outbox, drops } = harness(m, { ttl: 10 }, 'a 4ms b');
      m.scheduler.schedule(() => outbox.clear('closed'), 6);
      m.expect(drops).toBeObservable('6ms (xy)', { x: 'a:closed', y: 'b:closed' });
    }),
  );

  it(
    'should never report anything without a ttl',
    marbles((m) => {
      const { outbox, drops } = harness(m, {}, 'a 4ms b 100ms c');
      m.expect(drops).toBeObservable('-');
      m.flush();
      expect(outbox.size).to.equal(3);
    }),
  );
});
