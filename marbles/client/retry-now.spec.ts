import { expect } from 'chai';
import { SchedulerLike, Subject } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { SocketEvent } from '../../src/client/events';
import type { Socket } from '../../src/client/socket';
import { InvalidOptionsError } from '../../src/errors';
import { TestScript, TestTransport } from '../../src/testing/test-transport';
import { online } from '../../src/triggers/online';
import { visible } from '../../src/triggers/visible';

/** A socket whose first connection opens at 1 and drops at 10, reconnecting after 1000 ms. */
function setup(scheduler: SchedulerLike, options: ConnectOptions<unknown, unknown> = {}, script?: TestScript) {
  const transport = new TestTransport({ scheduler, script: script ?? ((s) => (s.index === 0 ? s.open({ after: 1 }).drop({ after: 10 }) : s.open({ after: 1 }))) });
  const socket: Socket = connect('ws://example.test/feed', { transport, scheduler, heartbeat: false, reconnect: { backoff: constantBackoff(1000) }, ...options });
  const events: SocketEvent[] = [];
  socket.events$.subscribe((e) => events.push(e));
  return { transport, socket, events };
}

describe('retryNow() ("Reconnect now")', () => {
  it(
    'should end a pending reconnect wait and dial at once',
    marbles((m) => {
      const { transport, socket } = setup(m.scheduler);
      const answers: boolean[] = [];
      m.scheduler.schedule(() => answers.push(socket.retryNow()), 100);
      m.scheduler.schedule(() => socket.close(), 2000);
      m.flush();
      expect(answers).to.deep.equal([true]);
      // Opened at 1, dropped at 10, waiting until 1010: dialled again at 100 instead, open at 101.
      expect(transport.sockets.map((s) => s.openedAt)).to.deep.equal([1, 101]);
    }),
  );

  it(
    'should do nothing while connecting, open, or closed, and say so',
    marbles((m) => {
      const { transport, socket } = setup(m.scheduler, {}, (s) => s.open({ after: 5 }));
      const answers: Array<[string, boolean]> = [];
      const at = (time: number): void => void m.scheduler.schedule(() => answers.push([socket.state.status, socket.retryNow()]), time);
      at(2);
      at(50);
      m.scheduler.schedule(() => socket.close(), 60);
      at(100);
      m.flush();
      expect(answers).to.deep.equal([
        ['connecting', false],
        ['open', false],
        ['closed', false],
      ]);
      expect(transport.sockets).to.have.length(1);
    }),
  );

  it(
    'should count the attempt it starts as the one it replaces: its number and the backoff after it',
    marbles((m) => {
      // Every connection is refused; the backoff is 1000 ms per attempt number.
      const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.refuse({ after: 1 }) });
      const socket: Socket = connect('ws://example.test/feed', {
        transport,
        scheduler: m.scheduler,
        heartbeat: false,
        reconnect: { backoff: (attempt) => attempt * 1000, maxAttempts: 3 },
      });
      const delays: Array<[number, number]> = [];
      socket.state$.subscribe((s) => {
        if (s.status === 'reconnecting') delays.push([s.attempt, s.delay]);
      });
      m.scheduler.schedule(() => socket.retryNow(), 500);
      m.flush();
      // Refused at 1 (attempt 1 waits 1000), cut short at 500: refused at 501, attempt 2 waits 2000 (dial 2501, refused
      // 2502), attempt 3 waits 3000 (dial 5502), then it gives up.
      expect(delays).to.deep.equal([
        [1, 1000],
        [2, 2000],
        [3, 3000],
      ]);
      expect(transport.sockets.map((s) => s.startedAt)).to.deep.equal([0, 500, 2501, 5502]);
    }),
  );
});

describe('reconnect.retryOn', () => {
  it(
    'should dial at once when the trigger emits during a wait, and ignore it while open',
    marbles((m) => {
      const trigger = new Subject<void>();
      const { transport } = setup(m.scheduler, { reconnect: { backoff: constantBackoff(1000), retryOn: trigger } });
      m.scheduler.schedule(() => trigger.next(), 5); // open: ignored
      m.scheduler.schedule(() => trigger.next(), 300); // waiting: dial now
      m.scheduler.schedule(() => trigger.next(), 400); // open again: ignored
      m.flush();
      expect(transport.sockets.map((s) => s.openedAt)).to.deep.equal([1, 301]);
      expect(trigger.observed, 'listened to only while waiting').to.equal(false);
    }),
  );

  it(
    'should report a trigger that errors as a callback-error and keep reconnecting on its backoff',
    marbles((m) => {
      const trigger = new Subject<void>();
      const { transport, events } = setup(m.scheduler, { reconnect: { backoff: constantBackoff(1000), retryOn: trigger } });
      m.scheduler.schedule(() => trigger.error(new Error('broken trigger')), 300);
      m.scheduler.schedule(() => undefined, 2000);
      m.flush();
      expect(transport.sockets.map((s) => s.openedAt)).to.deep.equal([1, 1011]);
      const failures = events.filter((e) => e.type === 'callback-error');
      expect(failures).to.have.length(1);
      expect(failures[0]).to.include({ source: 'reconnect.retryOn' });
    }),
  );

  it(
    'should dial at once when the network comes back (online()), and change nothing when it goes',
    marbles((m) => {
      const window = new EventTarget();
      const { transport } = setup(m.scheduler, { reconnect: { backoff: constantBackoff(1000), retryOn: online(window) } });
      m.scheduler.schedule(() => window.dispatchEvent(new Event('offline')), 100);
      m.scheduler.schedule(() => window.dispatchEvent(new Event('online')), 200);
      m.flush();
      expect(transport.sockets.map((s) => s.openedAt)).to.deep.equal([1, 201]);
    }),
  );

  it(
    'should dial at once when the page becomes visible (visible()), and not when it becomes hidden',
    marbles((m) => {
      const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
      const { transport } = setup(m.scheduler, { reconnect: { backoff: constantBackoff(1000), retryOn: visible(document) } });
      m.scheduler.schedule(() => {
        document.visibilityState = 'hidden';
        document.dispatchEvent(new Event('visibilitychange'));
      }, 100);
      m.scheduler.schedule(() => {
        document.visibilityState = 'visible';
        document.dispatchEvent(new Event('visibilitychange'));
      }, 250);
      m.flush();
      expect(transport.sockets.map((s) => s.openedAt)).to.deep.equal([1, 251]);
    }),
  );

  it('should say what to pass when there is no window or document (Node)', () => {
    expect(() => online()).to.throw(InvalidOptionsError, /online\(\) needs an EventTarget to listen on \(a window\)/);
    expect(() => visible()).to.throw(InvalidOptionsError, /visible\(\) needs an EventTarget to listen on \(a document\)/);
    expect(() => connect('ws://example.test/', { transport: new TestTransport(), reconnect: { retryOn: 'now' as never } })).to.throw(InvalidOptionsError, /retryOn must be an Observable/);
  });
});
