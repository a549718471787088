/**
 * metrics(): when snapshots are emitted (per event, per interval, on complete), what each event type counts, and
 * that unsubscribing ends both the ticker and the subscription to events$. The real-socket counts are in
 * spec/client/metrics.spec.ts.
 */
import { expect } from 'chai';
import { NEVER, Observable, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { last } from 'rxjs/operators';
import { marbles } from 'rxjs-marbles/mocha';
import type { SocketEvent } from '../../src/client/events';
import { metrics, SocketMetrics } from '../../src/client/metrics';
import { CodecError, InvalidOptionsError } from '../../src/errors';

const ZERO: SocketMetrics = {
  messagesIn: 0,
  messagesOut: 0,
  bytesIn: 0,
  bytesOut: 0,
  opens: 0,
  reconnects: 0,
  drops: 0,
  decodeErrors: 0,
  heartbeatTimeouts: 0,
  outboxSize: 0,
  lastRtt: undefined,
};

const counts = (over: Partial<SocketMetrics>): SocketMetrics => ({ ...ZERO, ...over });

/** One event of each kind, keyed by the letter the diagrams use. */
const EVENTS: Record<string, SocketEvent> = {
  r: { type: 'received', kind: 'text', bytes: 5, time: 0 },
  s: { type: 'sent', kind: 'binary', bytes: 3, time: 0 },
  o: { type: 'opened', attempt: 0, url: 'ws://h/', protocol: '', connectTime: 1, time: 0 },
  c: { type: 'reconnect-scheduled', attempt: 1, delay: 10, error: new Error('gone'), time: 0 },
  d: { type: 'dropped', reason: 'expired', message: 'm', bytes: 1, time: 0 },
  x: { type: 'decode-error', kind: 'text', bytes: 2, error: new CodecError('decode', new SyntaxError('bad')), time: 0 },
  h: { type: 'heartbeat-timeout', timeout: 10, time: 0 },
  t: { type: 'rtt', rtt: 7, time: 0 },
  b: { type: 'backpressure', paused: true, bufferedAmount: 9, time: 0 },
  a: { type: 'authenticated', refresh: false, time: 0 },
};

/** A socket-like source: the given events$, and an outbox size the test can change. */
function fakeSocket(events$: Observable<SocketEvent>): { events$: Observable<SocketEvent>; queued: number } {
  return { events$, queued: 0 };
}

describe('metrics() timing', () => {
  it(
    'should emit a snapshot after every event with interval 0, each event type counted once, and a last one on complete',
    marbles((m) => {
      const events = m.hot('     -r-s-o-c-d-x-h-t-b-a-|', EVENTS);
      const expected = '        -1-2-3-4-5-6-7-8-9-A-(B|)';
      const after8 = counts({ messagesIn: 1, bytesIn: 5, messagesOut: 1, bytesOut: 3, opens: 1, reconnects: 1, drops: 1, decodeErrors: 1, heartbeatTimeouts: 1, lastRtt: 7 });
      m.expect(metrics(fakeSocket(events), { interval: 0, scheduler: m.scheduler })).toBeObservable(expected, {
        1: counts({ messagesIn: 1, bytesIn: 5 }),
        2: counts({ messagesIn: 1, bytesIn: 5, messagesOut: 1, bytesOut: 3 }),
        3: counts({ messagesIn: 1, bytesIn: 5, messagesOut: 1, bytesOut: 3, opens: 1 }),
        4: counts({ messagesIn: 1, bytesIn: 5, messagesOut: 1, bytesOut: 3, opens: 1, reconnects: 1 }),
        5: counts({ messagesIn: 1, bytesIn: 5, messagesOut: 1, bytesOut: 3, opens: 1, reconnects: 1, drops: 1 }),
        6: counts({ messagesIn: 1, bytesIn: 5, messagesOut: 1, bytesOut: 3, opens: 1, reconnects: 1, drops: 1, decodeErrors: 1 }),
        7: counts({ messagesIn: 1, bytesIn: 5, messagesOut: 1, bytesOut: 3, opens: 1, reconnects: 1, drops: 1, decodeErrors: 1, heartbeatTimeouts: 1 }),
        8: after8,
        // backpressure and authenticated change no counter, but still make a snapshot
        9: after8,
        A: after8,
        B: after8,
      });
    }),
  );

  it(
    'should sum bytes and keep the last rtt',
    marbles((m) => {
      const events = m.cold('-r-r-t-l-|', { ...EVENTS, l: { type: 'rtt', rtt: 3, time: 0 } as SocketEvent });
      m.expect(metrics(fakeSocket(events), { interval: 0, scheduler: m.scheduler }).pipe(last())).toBeObservable('---------(a|)', {
        a: counts({ messagesIn: 2, bytesIn: 10, lastRtt: 3 }),
      });
    }),
  );

  it(
    'should emit a snapshot every interval, not per event, and a last one on complete',
    marbles((m) => {
      const events = m.cold('--r--s---r------r-------|', EVENTS);
      const expected = '     ----------1---------2---(3|)';
      m.expect(metrics(fakeSocket(events), { interval: 10, scheduler: m.scheduler })).toBeObservable(expected, {
        1: counts({ messagesIn: 2, bytesIn: 10, messagesOut: 1, bytesOut: 3 }),
        2: counts({ messagesIn: 3, bytesIn: 15, messagesOut: 1, bytesOut: 3 }),
        3: counts({ messagesIn: 3, bytesIn: 15, messagesOut: 1, bytesOut: 3 }),
      });
    }),
  );

  it(
    'should count only what happens after it is subscribed',
    marbles((m) => {
      const events = m.hot('-r-r-^-r-|', EVENTS);
      m.expect(metrics(fakeSocket(events), { interval: 0, scheduler: m.scheduler })).toBeObservable('--a-(b|)', {
        a: counts({ messagesIn: 1, bytesIn: 5 }),
        b: counts({ messagesIn: 1, bytesIn: 5 }),
      });
    }),
  );

  it(
    'should read the outbox size when each snapshot is taken',
    marbles((m) => {
      const socket = fakeSocket(m.cold('-------------------------|'));
      m.scheduler.schedule(() => (socket.queued = 4), 5);
      m.scheduler.schedule(() => (socket.queued = 1), 15);
      m.expect(metrics(socket, { interval: 10, scheduler: m.scheduler })).toBeObservable('----------a---------b----(c|)', {
        a: counts({ outboxSize: 4 }),
        b: counts({ outboxSize: 1 }),
        c: counts({ outboxSize: 1 }),
      });
    }),
  );

  it(
    'should pass an error of events$ through and stop ticking',
    marbles((m) => {
      const events = m.cold('--r--#', EVENTS, new Error('events failed'));
      m.expect(metrics(fakeSocket(events), { interval: 3, scheduler: m.scheduler })).toBeObservable('---a-#', { a: counts({ messagesIn: 1, bytesIn: 5 }) }, new Error('events failed'));
    }),
  );

  it(
    'should stop ticking and leave events$ when unsubscribed',
    marbles((m) => {
      const events = m.hot('--r--r--r--r--r--r|', EVENTS);
      const unsub = '       ------------!';
      m.expect(metrics(fakeSocket(events), { interval: 5, scheduler: m.scheduler }), unsub).toBeObservable('-----a----b-', {
        a: counts({ messagesIn: 2, bytesIn: 10 }),
        b: counts({ messagesIn: 3, bytesIn: 15 }),
      });
      m.has(events, '^-----------!');
    }),
  );

  it('should time snapshots on the scheduler it is given', () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, 350);
    const snapshots: number[] = [];
    const subscription = metrics(fakeSocket(NEVER), { interval: 100, scheduler }).subscribe(() => snapshots.push(scheduler.now()));
    scheduler.flush();
    subscription.unsubscribe();
    expect(snapshots).to.deep.equal([100, 200, 300]);
  });

  it('should reject an interval that is not a number with InvalidOptionsError', () => {
    expect(() => metrics(fakeSocket(NEVER), { interval: '5' as never })).to.throw(InvalidOptionsError, 'interval must be a non-negative finite number of ms, got 5');
  });
});
