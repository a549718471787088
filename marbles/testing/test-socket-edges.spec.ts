/**
 * TestSocket at its edges: what it records for frames without a payload or
 * a code, this side's close while the answer is pending, a stalled link, and
 * the errors (and their messages) a test gets for misusing a socket.
 */
import { expect } from 'chai';
import { ObservableNotification, config, queueScheduler } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import {
  ConnectError,
  ConnectionClosedError,
  ConnectTimeoutError,
  HandshakeError,
  InvalidFrameError,
  InvalidOptionsError,
  UnsupportedFrameError,
} from '../../src/errors';
import { Frame, closeFrame, pingFrame, pongFrame, textFrame } from '../../src/frame';
import type { TestSocket } from '../../src/testing/test-socket';
import { TestTransport } from '../../src/testing/test-transport';
import { closeEvent, frameEvent } from '../../src/testing/transport-events';
import { at, o, thrown, URL } from './support';

/** The message of the InvalidOptionsError `work` throws, without the common prefix. */
function misuse(work: () => void): string {
  const error = thrown(work);
  expect(error).to.be.instanceOf(InvalidOptionsError);
  return (error as Error).message.replace('rxnova: invalid options: ', '');
}

/** A transport whose sockets stay CONNECTING until the test moves them, and the first socket of a subscribed connection. */
function idleSocket(): { transport: TestTransport; socket: TestSocket } {
  const transport = new TestTransport({ handshakeTimeout: 0, script: () => undefined });
  transport.open({ url: URL, protocols: ['v1'] }).events.subscribe({ error: () => undefined });
  return { transport, socket: transport.sockets[0] };
}

describe('TestSocket (edges)', () => {
  describe('what it records', () => {
    it('should report no protocol and no extensions before it opens, and the headers of the request', () => {
      const transport = new TestTransport({ handshakeTimeout: 0, script: () => undefined });
      transport.open({ url: URL, protocols: ['v1'], headers: { Authorization: 'Bearer t' } }).events.subscribe();
      const socket = transport.sockets[0];
      expect([socket.protocol, socket.extensions]).to.deep.equal(['', '']);
      expect(socket.headers).to.deep.equal({ Authorization: 'Bearer t' });
      socket.open({ protocol: 'v1', extensions: 'permessage-deflate' });
      expect([socket.protocol, socket.extensions]).to.deep.equal(['v1', 'permessage-deflate']);
    });

    it(
      'should record pings and pongs without a payload as frames without data, written and received',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('o-p', { o, p: frameEvent(pongFrame()) });
        at(m, 2, () => connection.frames.next([pingFrame(), pongFrame(), pongFrame('x')]));
        m.flush();
        const socket = transport.sockets[0];
        expect(socket.written.map((w) => w.frame)).to.deep.equal([{ type: 'ping' }, { type: 'pong' }, pongFrame('x')]);
        expect(socket.received).to.deep.equal([{ time: 2, frame: { type: 'pong' } }]);
      }),
    );

    it(
      'should record a close frame written without a code as it was written, and the close as one with no code',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().slowClose() });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('o', { o });
        at(m, 1, () => connection.frames.next(closeFrame()));
        m.flush();
        const socket = transport.sockets[0];
        expect(socket.written.map((w) => w.frame)).to.deep.equal([{ type: 'close' }]);
        expect([socket.readyState, socket.closeCode, socket.closeReason, socket.closingAt]).to.deep.equal(['CLOSING', undefined, '', 1]);
      }),
    );

    it(
      "should record the code and reason of this side's close while the answer is pending",
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().slowClose() });
        const completed = transport.open({ url: URL });
        const sent = transport.open({ url: URL });
        m.expect(completed.events).toBeObservable('o', { o });
        m.expect(sent.events).toBeObservable('o', { o });
        at(m, 1, () => {
          completed.frames.complete();
          sent.frames.next(closeFrame(4000, 'bye'));
        });
        m.flush();
        const [first, second] = transport.sockets;
        expect([first.readyState, first.closedBy, first.closeCode, first.closeReason]).to.deep.equal(['CLOSING', 'client', 1000, '']);
        expect([second.readyState, second.closedBy, second.closeCode, second.closeReason]).to.deep.equal(['CLOSING', 'client', 4000, 'bye']);
      }),
    );

    it(
      'should not count a written close frame as a frame that left, nor add its size to a stalled link',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s, i) => {
            s.open().slowClose();
            if (i === 1) s.stall();
          },
        });
        const flowing = transport.open({ url: URL });
        const stalled = transport.open({ url: URL });
        m.expect(flowing.events).toBeObservable('o', { o });
        m.expect(stalled.events).toBeObservable('o', { o });
        at(m, 2, () => {
          for (const connection of [flowing, stalled]) connection.frames.next([textFrame('ab'), closeFrame(4000, 'long reason')]);
        });
        m.flush();
        expect(flowing.written()).to.equal(1);
        expect(stalled.written()).to.equal(0);
        expect(stalled.state().bufferedAmount).to.equal(2);
      }),
    );

    it(
      'should have the socket CLOSED, with the time it closed, by the time events errors',
      marbles((m) => {
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s, i) => (i === 0 ? s.refuse({ after: 2 }) : s.failHandshake(401, {}, { after: 3 })),
        });
        const seen: unknown[][] = [];
        for (let i = 0; i < 2; i++) {
          transport.open({ url: URL }).events.subscribe({
            error: () => {
              const socket = transport.sockets[i];
              seen.push([socket.readyState, socket.closedAt, socket.closedBy]);
            },
          });
        }
        m.flush();
        expect(seen).to.deep.equal([
          ['CLOSED', 2, 'network'],
          ['CLOSED', 3, 'peer'],
        ]);
      }),
    );
  });

  describe('the server', () => {
    it(
      'should record a connection dropped while connecting as closed by the network',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.drop({ after: 1 }) });
        m.expect(transport.open({ url: URL }).events).toBeObservable('-#', {}, new ConnectError(URL, new Error('connect ECONNRESET example.test')));
        m.flush();
        expect(transport.sockets[0].closedBy).to.equal('network');
      }),
    );

    it(
      'should treat a received close frame without a reason as a peer close with an empty reason',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().receive({ type: 'close', code: 4000 }, { after: 1 }) });
        m.expect(transport.open({ url: URL }).events).toBeObservable('o(c#)', { o, c: closeEvent(4000, '') }, new ConnectionClosedError(4000, '', true));
        m.flush();
        expect([transport.sockets[0].closeCode, transport.sockets[0].closeReason]).to.deep.equal([4000, '']);
      }),
    );

    it(
      'should still deliver frames, and a pong that is due, while this side is closing',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().slowClose().autoPong(true, 3) });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('o-a-p', { o, a: frameEvent('late'), p: frameEvent(pongFrame('beat')) });
        at(m, 1, () => {
          connection.frames.next(pingFrame('beat'));
          connection.frames.complete();
        });
        at(m, 2, () => transport.sockets[0].receive('late'));
        m.flush();
        expect(transport.sockets[0].readyState).to.equal('CLOSING');
        expect(transport.sockets[0].received.map((r) => [r.time, r.frame.type])).to.deep.equal([
          [2, 'text'],
          [4, 'pong'],
        ]);
      }),
    );

    it(
      'should answer pings again after autoPong() with no arguments, when the transport does not',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, autoPong: false, script: (s, i) => (i === 0 ? s.open() : s.open().autoPong()) });
        const quiet = transport.open({ url: URL });
        const answering = transport.open({ url: URL });
        m.expect(quiet.events).toBeObservable('o', { o });
        m.expect(answering.events).toBeObservable('o-p', { o, p: frameEvent(pongFrame()) });
        at(m, 2, () => {
          quiet.frames.next(pingFrame());
          answering.frames.next(pingFrame());
        });
      }),
    );

    it(
      'should hold stalled frames while bufferedAmount is above 0 and count them as written when it is set to 0',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().stall() });
        const connection = transport.open({ url: URL });
        connection.events.subscribe();
        const written: number[] = [];
        at(m, 1, () => {
          connection.frames.next([textFrame('a'), textFrame('b')]);
          written.push(connection.written());
          transport.sockets[0].setBufferedAmount(5);
          written.push(connection.written());
          transport.sockets[0].setBufferedAmount(0);
          written.push(connection.written());
        });
        m.flush();
        expect(written).to.deep.equal([0, 0, 2]);
      }),
    );

    it('should leave the socket CLOSING on a synchronous scheduler when slowClose() has no delay', () => {
      const transport = new TestTransport({ scheduler: queueScheduler, handshakeTimeout: 0, script: (s) => s.open().slowClose() });
      const connection = transport.open({ url: URL });
      const seen: string[] = [];
      connection.events.subscribe({ next: (event) => seen.push(event.type), complete: () => seen.push('complete') });
      connection.frames.complete();
      const socket = transport.sockets[0];
      expect([socket.readyState, seen]).to.deep.equal(['CLOSING', ['open']]);
      socket.close(1000);
      expect([socket.readyState, seen]).to.deep.equal(['CLOSED', ['open', 'close', 'complete']]);
    });

    it(
      'should report closedBy client, not timeout, when this side errors frames with a ConnectTimeoutError while connecting',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open({ after: 5 }) });
        const connection = transport.open({ url: URL });
        const failure = new ConnectTimeoutError(1, URL);
        m.expect(connection.events).toBeObservable('-#', {}, failure);
        at(m, 1, () => connection.frames.error(failure));
        m.flush();
        expect([transport.sockets[0].closedBy, transport.sockets[0].error]).to.deep.equal(['client', failure]);
      }),
    );

    it(
      'should report what a script threw after it had ended the socket, as rxjs reports an error after the end',
      marbles((m) => {
        const failure = new Error('thrown after refuse');
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s) => {
            s.refuse();
            throw failure;
          },
        });
        const reported: ObservableNotification<unknown>[] = [];
        const previous = config.onStoppedNotification;
        config.onStoppedNotification = (notification) => reported.push(notification);
        try {
          m.expect(transport.open({ url: URL }).events).toBeObservable('#', {}, new ConnectError(URL, new Error('connect ECONNREFUSED example.test')));
          m.flush();
        } finally {
          config.onStoppedNotification = previous;
        }
        expect(reported).to.deep.equal([{ kind: 'E', error: failure, value: undefined }]);
        expect(transport.sockets[0].closedBy).to.equal('network');
      }),
    );
  });

  describe('misuse', () => {
    it('should name the method in the message when the delay of a step is invalid', () => {
      const { socket } = idleSocket();
      const timing = { after: -1 };
      const steps: [string, () => void][] = [
        ['open', () => socket.open(timing)],
        ['failHandshake', () => socket.failHandshake(503, {}, timing)],
        ['refuse', () => socket.refuse(timing)],
        ['receive', () => socket.receive('a', timing)],
        ['close', () => socket.close(1000, '', timing)],
        ['drop', () => socket.drop(timing)],
        ['silent', () => socket.silent(timing)],
        ['setBufferedAmount', () => socket.setBufferedAmount(1, timing)],
        ['stall', () => socket.stall(timing)],
        ['drain', () => socket.drain(timing)],
      ];
      for (const [name, step] of steps) {
        expect(misuse(step)).to.equal(`TestSocket #0.${name}() after must be a finite number of milliseconds >= 0, got -1`);
      }
      expect(misuse(() => socket.autoPong(true, -1))).to.equal('TestSocket #0.autoPong() latency must be a finite number of milliseconds >= 0, got -1');
      expect(misuse(() => socket.slowClose(-1))).to.equal('TestSocket #0.slowClose() must be a finite number of milliseconds >= 0, got -1');
      expect(socket.readyState).to.equal('CONNECTING');
    });

    it('should name the method, the states it needs and the state it found when a step comes in the wrong state', () => {
      const { socket } = idleSocket();
      expect(misuse(() => socket.receive('early'))).to.equal('TestSocket #0.receive() needs a socket in OPEN or CLOSING, but it is CONNECTING');
      socket.open();
      expect(misuse(() => socket.failHandshake(503))).to.equal('TestSocket #0.failHandshake() needs a socket in CONNECTING, but it is OPEN');
      expect(misuse(() => socket.refuse())).to.equal('TestSocket #0.refuse() needs a socket in CONNECTING, but it is OPEN');
      socket.drop();
      expect(misuse(() => socket.drop())).to.equal(
        'TestSocket #0.drop() needs a socket in CONNECTING or OPEN or CLOSING, but it is CLOSED (closed by network)',
      );
      expect(misuse(() => socket.play('-o'))).to.equal('TestSocket #0.play "o"(): the socket is already CLOSED (closed by network)');
      expect(misuse(() => socket.failHandshake(503, {}, { after: 1 }))).to.equal(
        'TestSocket #0.failHandshake(): the socket is already CLOSED (closed by network)',
      );
      expect(misuse(() => socket.refuse({ after: 1 }))).to.equal('TestSocket #0.refuse(): the socket is already CLOSED (closed by network)');
    });

    it('should accept failHandshake() with status 0 or 100-599 but 101, and refuse any other status', () => {
      const { transport, socket } = idleSocket();
      for (const status of [-1, 600, 1.5, Number.NaN, 101]) {
        expect(misuse(() => socket.failHandshake(status))).to.equal(
          `TestSocket #0.failHandshake(): status must be 0 or an HTTP status 100-599 other than 101, got ${status}`,
        );
      }
      expect(socket.readyState).to.equal('CONNECTING');
      socket.failHandshake(599);
      const other = transport.open({ url: URL });
      other.events.subscribe({ error: () => undefined });
      transport.sockets[1].failHandshake(0);
      expect([(transport.sockets[0].error as HandshakeError).status, (transport.sockets[1].error as HandshakeError).status]).to.deep.equal([599, 0]);
    });

    it('should accept close() with codes up to 4999 and a string reason, and refuse others', () => {
      const { socket } = idleSocket();
      socket.open();
      expect(misuse(() => socket.close(5000))).to.equal('TestSocket #0.close(): code must be an integer 1000-4999, got 5000');
      expect(misuse(() => socket.close(1000, 42 as unknown as string))).to.equal('TestSocket #0.close(): reason must be a string, got number');
      expect(socket.readyState).to.equal('OPEN');
      socket.close(4999, 'last');
      expect([socket.readyState, socket.closeCode, socket.closeReason]).to.deep.equal(['CLOSED', 4999, 'last']);
    });

    it('should refuse a buffered amount that is not a non-negative integer, and a write handler that is not a function', () => {
      const { socket } = idleSocket();
      for (const bytes of [-1, 1.5]) {
        expect(misuse(() => socket.setBufferedAmount(bytes))).to.equal(
          `TestSocket #0.setBufferedAmount(): expected a non-negative integer, got ${bytes}`,
        );
      }
      expect(misuse(() => socket.onWrite('echo' as unknown as undefined))).to.equal('TestSocket #0.onWrite(): expected a function, got string');
      expect(socket.bufferedAmount).to.equal(0);
    });

    it('should say which subprotocols were offered when open() chooses another', () => {
      const { socket } = idleSocket();
      expect(misuse(() => socket.open({ protocol: 'v9' }))).to.equal('TestSocket #0.open(): protocol "v9" was not offered (offered: ["v1"])');
    });

    it('should validate a received frame, and refuse a received pong when capabilities.ping is false', () => {
      const { socket } = idleSocket();
      socket.open();
      expect(thrown(() => socket.receive({ type: 'text', data: 42 } as unknown as Frame))).to.be.instanceOf(InvalidFrameError);
      expect(thrown(() => socket.receive({ type: 'close', code: 1005 }))).to.be.instanceOf(InvalidFrameError);
      expect(socket.received).to.deep.equal([]);

      const limited = new TestTransport({ capabilities: { ping: false }, handshakeTimeout: 0, script: (s) => s.open() });
      limited.open({ url: URL }).events.subscribe();
      const error = thrown(() => limited.sockets[0].receive(pongFrame()));
      expect(error).to.be.instanceOf(UnsupportedFrameError);
      expect((error as Error).message).to.equal(
        'rxnova: unsupported frame "pong": TestSocket #0.receive(): this TestTransport has capabilities.ping false, and such a transport never reports ping or pong frames',
      );
    });
  });
});
