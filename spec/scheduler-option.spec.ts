/**
 * The scheduler and random-source options are checked by one rule (src/invalid.ts), wherever they are given: the
 * same advice in every message, with the owner's name in front.
 */
import { expect } from 'chai';
import { asyncScheduler, queueScheduler, VirtualTimeScheduler } from 'rxjs';
import { connect } from '../src/client/connect';
import { reconnect } from '../src/operators/reconnect';
import { createHeartbeat } from '../src/operators/create-heartbeat';
import { TestTransport } from '../src/testing/test-transport';
import { webSocketTransport } from '../src/transport/web-socket';
import { wsTransport } from '../src/transport/ws';
import { invalidOptionsMessage } from './support/invalid-options';

const SCHEDULER = 'must be an rxjs SchedulerLike (with now() and schedule()), such as asyncScheduler, got';
const RANDOM = 'must be a function returning a number in [0, 1), such as Math.random, got';

describe('the scheduler and random options', () => {
  const owners: Array<[string, (scheduler: unknown) => unknown]> = [
    ['options.scheduler', (scheduler) => connect('ws://example.test', { transport: new TestTransport(), scheduler: scheduler as never })],
    ['reconnect: scheduler', (scheduler) => reconnect({ scheduler: scheduler as never })],
    ['wsTransport: scheduler', (scheduler) => wsTransport({ scheduler: scheduler as never })],
    ['webSocketTransport: scheduler', (scheduler) => webSocketTransport({ WebSocket: class {} as never, scheduler: scheduler as never })],
    ['TestTransport: scheduler', (scheduler) => new TestTransport({ scheduler: scheduler as never })],
    [
      'heartbeat scheduler',
      (scheduler) => createHeartbeat({ interval: 10, timeout: 10, scheduler: scheduler as never, ping: () => undefined, onTimeout: () => undefined }),
    ],
  ];
  for (const [name, make] of owners) {
    it(`should refuse a ${name} without now() or schedule(), saying what it must be and what it got`, () => {
      expect(invalidOptionsMessage(() => make({ schedule: () => undefined }))).to.equal(`rxnova: invalid options: ${name} ${SCHEDULER} an object`);
      expect(invalidOptionsMessage(() => make({ now: () => 0 }))).to.equal(`rxnova: invalid options: ${name} ${SCHEDULER} an object`);
      expect(invalidOptionsMessage(() => make(null))).to.equal(`rxnova: invalid options: ${name} ${SCHEDULER} null`);
      expect(invalidOptionsMessage(() => make('async'))).to.equal(`rxnova: invalid options: ${name} ${SCHEDULER} "async"`);
      expect(() => make(new VirtualTimeScheduler())).to.not.throw();
      expect(() => make(asyncScheduler)).to.not.throw();
    });
  }

  const randomOwners: Array<[string, (random: unknown) => unknown]> = [
    ['options.random', (random) => connect('ws://example.test', { transport: new TestTransport(), random: random as never })],
    ['reconnect: random', (random) => reconnect({ random: random as never })],
  ];
  for (const [name, make] of randomOwners) {
    it(`should refuse a ${name} that is not a function, saying what it must be and what it got`, () => {
      expect(invalidOptionsMessage(() => make(0.5))).to.equal(`rxnova: invalid options: ${name} ${RANDOM} 0.5`);
      expect(invalidOptionsMessage(() => make(null))).to.equal(`rxnova: invalid options: ${name} ${RANDOM} null`);
      expect(() => make(() => 0.25)).to.not.throw();
    });
  }

  it('should close a lazy socket when its last subscriber leaves, with a synchronous scheduler (queueScheduler)', () => {
    // A timer of 0 ms runs inside schedule() on queueScheduler: the close-delay timer used to throw a ReferenceError
    // there, so the unsubscribe threw UnsubscriptionError and the socket stayed open.
    const transport = new TestTransport({ scheduler: queueScheduler, script: (s) => s.open({ after: 0 }) });
    const socket = connect('ws://example.test', { transport, lazy: true, scheduler: queueScheduler, heartbeat: false });
    const states: string[] = [];
    socket.state$.subscribe((state) => states.push(state.status));
    const subscription = socket.messages$.subscribe();
    expect(() => subscription.unsubscribe()).to.not.throw();
    expect(states).to.deep.equal(['closed', 'connecting', 'open', 'closing', 'closed']);
  });
});
