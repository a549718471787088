import { expect } from 'chai';
import { marbles } from 'rxjs-marbles/mocha';
import { exponentialBackoff } from '../../src/backoff/exponential-backoff';
import { ConnectionClosedError, HandshakeError } from '../../src/errors';
import { ReconnectAttempt, reconnect } from '../../src/operators/reconnect';
import { TestTransport } from '../../src/testing/test-transport';
import { closeEvent, openEvent } from '../../src/testing/transport-events';

// Delays 10, 20, 40, ... (no jitter) so the schedule reads off the recorded sockets.
const doubling = exponentialBackoff({ initialDelay: 10, maxDelay: 1000, factor: 2, jitter: 'none' });

describe('reconnect over a TestTransport', () => {
  it('should reconnect through three failed handshakes (HTTP 503), then open', marbles((m) => {
    // Each handshake takes 2 ms: sockets start at 0, 2+10, 14+20, 36+40, and the fourth opens at 78.
    const transport = new TestTransport({
      scheduler: m.scheduler,
      script: (socket, i) => (i < 3 ? socket.failHandshake(503, {}, { after: 2 }) : socket.open({ after: 2 })),
    });
    const told: ReconnectAttempt[] = [];
    const { events } = transport.open({ url: 'ws://example.test/feed' });
    const result = events.pipe(
      reconnect({ backoff: doubling, onAttempt: (a) => told.push(a), scheduler: m.scheduler }),
    );
    m.expect(result).toBeObservable('78ms o', { o: openEvent() });
    m.flush();
    expect(transport.sockets.map((s) => s.startedAt)).to.deep.equal([0, 12, 34, 76]);
    expect(transport.sockets.map((s) => s.openedAt)).to.deep.equal([undefined, undefined, undefined, 78]);
    expect(told.map(({ attempt, delay }) => [attempt, delay])).to.deep.equal([[1, 10], [2, 20], [3, 40]]);
    for (const { error } of told) {
      expect(error).to.be.instanceOf(HandshakeError);
      expect((error as HandshakeError).status).to.equal(503);
    }
    expect(transport.connections).to.have.length(1);
  }));

  it('should wait as long as the server\'s Retry-After asks', marbles((m) => {
    const transport = new TestTransport({
      scheduler: m.scheduler,
      script: (socket, i) =>
        i === 0 ? socket.failHandshake(503, { 'Retry-After': '2' }, { after: 1 }) : socket.open({ after: 1 }),
    });
    const { events } = transport.open({ url: 'ws://example.test/feed' });
    m.expect(events.pipe(reconnect({ backoff: doubling, scheduler: m.scheduler }))).toBeObservable('2002ms o', { o: openEvent() });
    m.flush();
    expect(transport.sockets.map((s) => s.startedAt)).to.deep.equal([0, 2001]);
  }));

  it('should stop at once when the server closes with 1008 Policy Violation, opening no new socket', marbles((m) => {
    const transport = new TestTransport({
      scheduler: m.scheduler,
      script: (socket) => socket.open({ after: 1 }).close(1008, 'banned', { after: 4 }),
    });
    const { events } = transport.open({ url: 'ws://example.test/feed' });
    const expected = '-o--(c#)';
    m.expect(events.pipe(reconnect({ backoff: doubling, scheduler: m.scheduler }))).toBeObservable(
      expected,
      { o: openEvent(), c: closeEvent(1008, 'banned') },
      new ConnectionClosedError(1008, 'banned', true),
    );
    m.flush();
    expect(transport.sockets).to.have.length(1);
  }));

  it('should keep growing the delays of a connection that opens and drops, until one stays up', marbles((m) => {
    // Sockets 0-2 open 1 ms after they start and drop at 2 ms (a flap: resetAfter is 5); socket 3 stays up.
    const transport = new TestTransport({
      scheduler: m.scheduler,
      script: (socket, i) => (i < 3 ? socket.open({ after: 1 }).drop({ after: 2 }) : socket.open({ after: 1 })),
    });
    const { events } = transport.open({ url: 'ws://example.test/feed' });
    const told: number[] = [];
    events.pipe(reconnect({ backoff: doubling, resetAfter: 5, onAttempt: (a) => told.push(a.delay), scheduler: m.scheduler })).subscribe();
    m.flush();
    expect(told).to.deep.equal([10, 20, 40]);
    expect(transport.sockets.map((s) => s.startedAt)).to.deep.equal([0, 12, 34, 76]);
    expect(transport.sockets.map((s) => s.openedAt)).to.deep.equal([1, 13, 35, 77]);
    expect(transport.sockets.map((s) => s.closedBy)).to.deep.equal(['network', 'network', 'network', undefined]);
  }));
});
