/**
 * TestTransport's time: a request's own scheduler (as `connect()` passes
 * it) runs the connection's timers and scripted steps, proven with a
 * VirtualTimeScheduler outside `TestScheduler.run()`; and `drained()` driven
 * by the scripted `bufferedAmount` in virtual time.
 */
import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { ConnectTimeoutError, InvalidOptionsError } from '../../src/errors';
import { textFrame } from '../../src/frame';
import { TestTransport } from '../../src/testing/test-transport';

const URL = 'ws://example.test/feed';

describe('TestTransport timing', () => {
  describe("a request's scheduler", () => {
    it("should run the handshake timeout on the request's scheduler, not the transport's", () => {
      const own = new VirtualTimeScheduler();
      const requested = new VirtualTimeScheduler();
      const transport = new TestTransport({ scheduler: own, handshakeTimeout: 100, script: () => undefined });
      const connection = transport.open({ url: URL, scheduler: requested });
      expect(connection.scheduler).to.equal(requested);
      let failure: unknown;
      connection.events.subscribe({ error: (error: unknown) => (failure = error) });
      own.flush();
      expect(own.now()).to.equal(0);
      expect(connection.state().readyState).to.equal('CONNECTING');
      requested.flush();
      expect(requested.now()).to.equal(100);
      expect(failure).to.be.instanceOf(ConnectTimeoutError);
      expect(transport.last?.closedBy).to.equal('timeout');
      expect(transport.last?.closedAt).to.equal(100);
    });

    it("should run the sockets' scripted steps on the request's scheduler", () => {
      const requested = new VirtualTimeScheduler();
      const transport = new TestTransport({ scheduler: new VirtualTimeScheduler(), script: (s) => s.open({ after: 5 }) });
      const connection = transport.open({ url: URL, scheduler: requested });
      connection.events.subscribe();
      requested.flush();
      expect(transport.last?.openedAt).to.equal(5);
      expect(connection.state().readyState).to.equal('OPEN');
    });

    it('should throw InvalidOptionsError for a request scheduler that is not a scheduler', () => {
      expect(() => new TestTransport().open({ url: URL, scheduler: 'now' as never })).to.throw(InvalidOptionsError, 'scheduler');
    });
  });

  describe('drained()', () => {
    it(
      'should emit the scripted buffered amount and complete when the script lowers it to the threshold',
      marbles((m) => {
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s) => s.open().setBufferedAmount(300).setBufferedAmount(200, { after: 3 }).setBufferedAmount(40, { after: 6 }),
        });
        const connection = transport.open({ url: URL });
        connection.events.subscribe();
        m.expect(connection.drained(50)).toBeObservable('a-----|', { a: 300 });
        m.expect(connection.drained(250), '--^').toBeObservable('--a|', { a: 300 });
        m.expect(connection.drained(1000)).toBeObservable('(a|)', { a: 300 });
      }),
    );

    it(
      'should complete when a stalled link drains, and complete without a further value when the socket drops',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().stall() });
        const connection = transport.open({ url: URL });
        connection.events.subscribe({ error: () => undefined });
        connection.frames.next(textFrame('0123456789'));
        m.expect(connection.drained(0)).toBeObservable('a--|', { a: 10 });
        transport.last?.drain({ after: 3 });
        m.flush();

        const second = transport.open({ url: URL });
        second.events.subscribe({ error: () => undefined });
        second.frames.next(textFrame('0123456789'));
        const values: number[] = [];
        let completed = false;
        second.drained(0).subscribe({ next: (value) => values.push(value), complete: () => (completed = true) });
        transport.last?.drop();
        expect(values).to.deep.equal([10]);
        expect(completed).to.equal(true);
      }),
    );
  });
});
