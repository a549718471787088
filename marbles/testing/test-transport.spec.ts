import { expect } from 'chai';
import { asyncScheduler, retry } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import type { Context } from 'rxjs-marbles/mocha';
import {
  ConnectError,
  ConnectionClosedError,
  ConnectTimeoutError,
  HandshakeError,
  InvalidFrameError,
  InvalidOptionsError,
  InvalidUrlError,
  NotOpenError,
  UnsupportedFrameError,
} from '../../src/errors';
import { Frame, binaryFrame, closeFrame, pingFrame, pongFrame, textFrame } from '../../src/frame';
import type { TransportEvent } from '../../src/transport/transport';
import { TestTransport } from '../../src/testing/test-transport';
import { closeEvent, frameEvent, openEvent } from '../../src/testing/transport-events';

const URL = 'ws://example.test/feed';

/** Runs `work` at virtual time `time` (scheduled now, so it runs before steps scheduled later for the same time). */
function at(m: Context, time: number, work: () => void): void {
  m.scheduler.schedule(work, time);
}

function thrown(work: () => void): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

const o = openEvent();

describe('TestTransport', () => {
  describe('opening', () => {
    it(
      'should open in the virtual frame it was subscribed in by default',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler });
        const { events } = transport.open({ url: URL });
        m.expect(events).toBeObservable('o', { o });
        m.flush();
        expect(transport.sockets).to.have.length(1);
        expect(transport.last?.openedAt).to.equal(0);
        expect(transport.last?.readyState).to.equal('OPEN');
      }),
    );

    it(
      'should run on virtual time with the default asyncScheduler inside TestScheduler.run()',
      marbles((m) => {
        const transport = new TestTransport({ script: (s) => s.play('3ms o-a') });
        expect(transport.scheduler).to.equal(asyncScheduler);
        m.expect(transport.open({ url: URL }).events).toBeObservable('3ms o-a', { o, a: frameEvent('a') });
      }),
    );

    it(
      'should open after the scripted delay',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open({ after: 5 }) });
        const { events } = transport.open({ url: URL });
        const subscription = '---^    ';
        const expected =     '--------o';
        m.expect(events, subscription).toBeObservable(expected, { o });
        m.flush();
        const socket = transport.sockets[0];
        expect(socket.startedAt).to.equal(3);
        expect(socket.openedAt).to.equal(8);
      }),
    );

    it(
      'should report the subprotocol the script chose, and refuse one that was not offered',
      marbles((m) => {
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s) => s.open({ protocol: 'v2', extensions: 'permessage-deflate', after: 1 }),
        });
        const connection = transport.open({ url: URL, protocols: ['v1', 'v2'] });
        m.expect(connection.events).toBeObservable('-o', { o: openEvent('v2', 'permessage-deflate') });
        m.flush();
        expect(connection.state().protocol).to.equal('v2');
        expect(connection.state().extensions).to.equal('permessage-deflate');
        expect(transport.last?.protocols).to.deep.equal(['v1', 'v2']);

        const other = new TestTransport({ scheduler: m.scheduler, script: () => undefined }).open({ url: URL, protocols: ['v1'] });
        other.events.subscribe({ error: () => undefined });
        const socket = other.sockets[0];
        expect(thrown(() => socket.open({ protocol: 'v9' }))).to.be.instanceOf(InvalidOptionsError);
        expect(socket.readyState).to.equal('CONNECTING');
      }),
    );
  });

  describe('receiving', () => {
    it(
      'should deliver scripted frames at their virtual times',
      marbles((m) => {
        const bytes = new Uint8Array([1, 2, 3]);
        const server =   '-o-a--b';
        const expected = '-o-a--b';
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.play(server, { a: 'hello', b: bytes }) });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable(expected, { o, a: frameEvent('hello'), b: frameEvent(bytes) });
        m.flush();
        const socket = transport.sockets[0];
        expect(socket.received.map((r) => r.time)).to.deep.equal([3, 6]);
        const state = connection.state();
        expect(state.framesReceived).to.equal(2);
        expect(state.bytesReceived).to.equal(5 + 3);
      }),
    );

    it(
      'should play a diagram with groups and time progressions at 1 ms per character',
      marbles((m) => {
        const diagram =  '2ms o 3ms (ab) c';
        const expected = '2ms o 3ms (ab) c';
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.play(diagram, { b: { type: 'ping' } }) });
        const { events } = transport.open({ url: URL });
        m.expect(events).toBeObservable(expected, { o, a: frameEvent('a'), b: frameEvent(pingFrame()), c: frameEvent('c') });
      }),
    );

    it(
      'should let a frame be received by hand at once while the socket is open',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler });
        const seen: TransportEvent[] = [];
        transport.open({ url: URL }).events.subscribe((event) => seen.push(event));
        const socket = transport.sockets[0];
        expect(thrown(() => socket.receive('too early'))).to.be.instanceOf(InvalidOptionsError);
        m.flush();
        socket.receive('now');
        expect(seen).to.deep.equal([o, frameEvent('now')]);
      }),
    );
  });

  describe('when the peer ends the connection', () => {
    it(
      'should emit the close event and then error with ConnectionClosedError',
      marbles((m) => {
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s) => s.open().close(1012, 'restart', { after: 4 }),
        });
        const { events } = transport.open({ url: URL });
        m.expect(events).toBeObservable('o---(c#)', { o, c: closeEvent(1012, 'restart', true) }, new ConnectionClosedError(1012, 'restart', true));
        m.flush();
        const socket = transport.sockets[0];
        expect(socket.closedBy).to.equal('peer');
        expect(socket.closedAt).to.equal(4);
        expect(socket.closeCode).to.equal(1012);
        expect(socket.error).to.be.instanceOf(ConnectionClosedError);
      }),
    );

    it(
      'should treat | in a socket diagram as a clean peer close with 1000',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.play('o--|') });
        const { events } = transport.open({ url: URL });
        m.expect(events).toBeObservable('o--(c#)', { o, c: closeEvent(1000) }, new ConnectionClosedError(1000, '', true));
      }),
    );

    it(
      'should close with 1006, not clean, when the connection drops',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.play('o-a-#') });
        const { events } = transport.open({ url: URL });
        m.expect(events).toBeObservable('o-a-(c#)', { o, a: frameEvent('a'), c: closeEvent(1006, '', false) }, new ConnectionClosedError(1006, '', false));
        m.flush();
        expect(transport.sockets[0].closedBy).to.equal('network');
        expect(transport.sockets[0].wasClean).to.equal(false);
      }),
    );

    it(
      'should fail with ConnectError ECONNRESET when the connection drops while connecting',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.drop({ after: 2 }) });
        const { events } = transport.open({ url: URL });
        m.expect(events).toBeObservable('--#', {}, new ConnectError(URL, new Error('connect ECONNRESET example.test')));
        m.flush();
        const error = transport.sockets[0].error;
        expect(error).to.be.instanceOf(ConnectError);
        expect((error as ConnectError).causeCode).to.equal('ECONNRESET');
      }),
    );

    it(
      'should deliver a received close frame as a peer close',
      marbles((m) => {
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s) => s.open().receive(closeFrame(4001, 'kicked'), { after: 1 }),
        });
        const { events } = transport.open({ url: URL });
        m.expect(events).toBeObservable('o(c#)', { o, c: closeEvent(4001, 'kicked') }, new ConnectionClosedError(4001, 'kicked', true));
      }),
    );
  });

  describe('when the handshake fails', () => {
    it(
      'should error with HandshakeError carrying the status and lower-cased headers',
      marbles((m) => {
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s) => s.failHandshake(503, { 'Retry-After': '2' }, { after: 10 }),
        });
        const { events } = transport.open({ url: URL });
        m.expect(events).toBeObservable('10ms #', {}, new HandshakeError(503, { 'retry-after': '2' }));
        m.flush();
        const error = transport.sockets[0].error as HandshakeError;
        expect(error).to.be.instanceOf(HandshakeError);
        expect(error.status).to.equal(503);
        expect(error.headers).to.deep.equal({ 'retry-after': '2' });
        expect(transport.sockets[0].closedBy).to.equal('peer');
        expect(transport.sockets[0].closeCode).to.equal(undefined);
      }),
    );

    it(
      'should error with ConnectError ECONNREFUSED when refused, and no close event',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.refuse({ after: 3 }) });
        const { events } = transport.open({ url: URL });
        m.expect(events).toBeObservable('---#', {}, new ConnectError(URL, new Error('connect ECONNREFUSED example.test')));
        m.flush();
        const error = transport.sockets[0].error as ConnectError;
        expect(error.causeCode).to.equal('ECONNREFUSED');
        expect(transport.sockets[0].closedBy).to.equal('network');
      }),
    );

    it(
      'should refuse with the runtime error code the test names',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.refuse({ causeCode: 'CERT_HAS_EXPIRED' }) });
        const { events } = transport.open({ url: 'wss://example.test/' });
        m.expect(events).toBeObservable('#', {}, new ConnectError('wss://example.test/', new Error('connect CERT_HAS_EXPIRED example.test')));
        m.flush();
        expect((transport.sockets[0].error as ConnectError).causeCode).to.equal('CERT_HAS_EXPIRED');
      }),
    );
  });

  describe('handshake timeout', () => {
    it(
      "should error with ConnectTimeoutError at the transport's handshakeTimeout, on virtual time",
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, handshakeTimeout: 50, script: (s) => s.open({ after: 80 }) });
        const { events } = transport.open({ url: URL });
        m.expect(events).toBeObservable('50ms #', {}, new ConnectTimeoutError(50, URL));
        m.flush();
        const socket = transport.sockets[0];
        expect(socket.closedBy).to.equal('timeout');
        expect(socket.openedAt).to.equal(undefined);
        expect(m.scheduler.now()).to.equal(50);
      }),
    );

    it(
      'should time out after 10 s by default',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: () => undefined });
        m.expect(transport.open({ url: URL }).events).toBeObservable('10s #', {}, new ConnectTimeoutError(10_000, URL));
      }),
    );

    it(
      "should let the request's handshakeTimeout override the transport's, and 0 disable it",
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, handshakeTimeout: 50, script: (s) => s.open({ after: 20_000 }) });
        m.expect(transport.open({ url: URL, handshakeTimeout: 7 }).events).toBeObservable('7ms #', {}, new ConnectTimeoutError(7, URL));
        m.expect(transport.open({ url: URL, handshakeTimeout: 0 }).events).toBeObservable('20s o', { o });
      }),
    );

    it(
      'should stop the timeout once the socket is open',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, handshakeTimeout: 10, script: (s) => s.open({ after: 9 }) });
        m.expect(transport.open({ url: URL }).events).toBeObservable('9ms o', { o });
        m.flush();
        expect(transport.sockets[0].readyState).to.equal('OPEN');
      }),
    );

    it(
      'should let the timeout win over an open scheduled for exactly the deadline',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, handshakeTimeout: 10, script: (s) => s.open({ after: 10 }) });
        m.expect(transport.open({ url: URL }).events).toBeObservable('10ms #', {}, new ConnectTimeoutError(10, URL));
      }),
    );
  });

  describe('writing', () => {
    it(
      'should record every frame written with its virtual time, per socket and over the transport',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open({ after: 2 }) });
        const connection = transport.open({ url: URL });
        connection.events.subscribe();
        m.cold('---a--(bc)', { a: textFrame('héllo'), b: binaryFrame(new Uint8Array(4)), c: pingFrame('x') }).subscribe((frame) =>
          connection.frames.next(frame),
        );
        at(m, 4, () => connection.frames.next([textFrame('one'), textFrame('two')]));
        m.flush();
        const socket = transport.sockets[0];
        expect(socket.written.map((w) => [w.time, w.frame.type])).to.deep.equal([
          [3, 'text'],
          [4, 'text'],
          [4, 'text'],
          [6, 'binary'],
          [6, 'ping'],
        ]);
        expect(socket.writtenTexts).to.deep.equal(['héllo', 'one', 'two']);
        expect(transport.written.map((w) => [w.time, w.socket.index])).to.deep.equal([
          [3, 0],
          [4, 0],
          [4, 0],
          [6, 0],
          [6, 0],
        ]);
        const state = connection.state();
        expect(state.framesSent).to.equal(5);
        expect(state.bytesSent).to.equal(6 + 3 + 3 + 4 + 1);
        expect(state.framesReceived).to.equal(1); // the pong
      }),
    );

    it(
      'should throw NotOpenError naming the ready state when the socket is not open',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open({ after: 5 }).close(1001, '', { after: 8 }) });
        const connection = transport.open({ url: URL });
        const write = (): unknown => thrown(() => connection.frames.next(textFrame('x')));
        const seen: unknown[] = [];
        const errorOf = (error: unknown): string => (error instanceof NotOpenError ? error.readyState : String(error));
        seen.push(errorOf(write()));
        connection.events.subscribe({ error: () => undefined });
        seen.push(errorOf(write()));
        at(m, 6, () => {
          connection.frames.next(textFrame('fine'));
          connection.frames.complete();
          seen.push(errorOf(write()));
        });
        at(m, 7, () => seen.push(errorOf(write())));
        m.flush();
        expect(seen).to.deep.equal(['NONE', 'CONNECTING', 'CLOSING', 'NONE']);
        expect((write() as NotOpenError).message).to.equal('rxnova: socket is not open: readyState NONE');
        expect(transport.sockets[0].writtenTexts).to.deep.equal(['fine']);
      }),
    );

    it(
      'should validate frames and write none of a list that holds a bad one',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler });
        const connection = transport.open({ url: URL });
        connection.events.subscribe();
        m.flush();
        const bad = { type: 'close', code: 1005 } as Frame;
        expect(thrown(() => connection.frames.next([textFrame('a'), bad]))).to.be.instanceOf(InvalidFrameError);
        expect(thrown(() => connection.frames.next({ type: 'text', data: 42 } as unknown as Frame))).to.be.instanceOf(InvalidFrameError);
        expect(transport.sockets[0].written).to.deep.equal([]);
      }),
    );

    it(
      'should refuse ping and pong frames when capabilities.ping is false',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, capabilities: { ping: false } });
        const connection = transport.open({ url: URL });
        connection.events.subscribe();
        m.flush();
        expect(transport.capabilities).to.deep.equal({ ping: false, headers: true });
        expect(thrown(() => connection.frames.next(pingFrame()))).to.be.instanceOf(UnsupportedFrameError);
        expect(thrown(() => connection.frames.next(pongFrame()))).to.be.instanceOf(UnsupportedFrameError);
        expect(thrown(() => transport.sockets[0].receive(pingFrame()))).to.be.instanceOf(UnsupportedFrameError);
        expect(transport.sockets[0].written).to.deep.equal([]);
      }),
    );

    it(
      'should write to the socket of the newest subscription after retry resubscribes',
      marbles((m) => {
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s, i) => (i === 0 ? s.play('o--#') : s.open({ after: 2 })),
        });
        const connection = transport.open({ url: URL });
        m.expect(connection.events.pipe(retry({ count: 1, delay: 4 }))).toBeObservable('o--c-----o', { o, c: closeEvent(1006, '', false) });
        at(m, 1, () => connection.frames.next(textFrame('to the first')));
        at(m, 10, () => connection.frames.next(textFrame('to the second')));
        m.flush();
        const [first, second] = transport.sockets;
        expect(first.writtenTexts).to.deep.equal(['to the first']);
        expect(second.writtenTexts).to.deep.equal(['to the second']);
        expect(second.attempt).to.equal(1);
        expect(second.startedAt).to.equal(3 + 4);
        expect(connection.state().connections).to.equal(2);
      }),
    );
  });

  describe('pings and half-open sockets', () => {
    it(
      'should answer each ping with a pong of the same payload, in the same frame',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('o--p', { o, p: frameEvent(pongFrame('beat')) });
        at(m, 3, () => connection.frames.next(pingFrame('beat')));
      }),
    );

    it(
      'should answer pings after the latency the test sets, or not at all',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s, i) => s.open().autoPong(i === 0, 4) });
        const first = transport.open({ url: URL });
        const second = transport.open({ url: URL });
        m.expect(first.events).toBeObservable('o-----p', { o, p: frameEvent(pongFrame()) });
        m.expect(second.events).toBeObservable('o', { o });
        at(m, 2, () => {
          first.frames.next(pingFrame());
          second.frames.next(pingFrame());
        });
      }),
    );

    it(
      'should keep a silent socket OPEN, accept writes, answer no ping and no close',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().silent({ after: 2 }) });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('op', { o, p: frameEvent(pongFrame()) });
        at(m, 1, () => connection.frames.next(pingFrame()));
        at(m, 3, () => connection.frames.next([pingFrame(), textFrame('anyone?')]));
        at(m, 5, () => connection.frames.complete());
        m.flush();
        const socket = transport.sockets[0];
        expect(socket.readyState).to.equal('CLOSING');
        expect(socket.written.map((w) => w.frame.type)).to.deep.equal(['ping', 'ping', 'text']);
        expect(connection.state().readyState).to.equal('CLOSING');
      }),
    );
  });

  describe('when this side closes', () => {
    it(
      'should close with 1000 on frames.complete(): close event, then complete',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('o---(c|)', { o, c: closeEvent(1000) });
        at(m, 4, () => connection.frames.complete());
        m.flush();
        const socket = transport.sockets[0];
        expect(socket.closedBy).to.equal('client');
        expect([socket.closingAt, socket.closedAt, socket.closeCode, socket.error]).to.deep.equal([4, 4, 1000, undefined]);
        expect(connection.state().readyState).to.equal('NONE');
      }),
    );

    it(
      'should run the closing handshake when a close frame is written, echoing its code',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().slowClose(3) });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('o-a---(c|)', { o, a: frameEvent('late'), c: closeEvent(4000, 'bye') });
        const states: string[] = [];
        at(m, 3, () => {
          connection.frames.next(closeFrame(4000, 'bye'));
          states.push(connection.state().readyState);
        });
        at(m, 2, () => transport.sockets[0].receive('late'));
        m.flush();
        expect(states).to.deep.equal(['CLOSING']);
        expect(transport.sockets[0].written.map((w) => w.frame)).to.deep.equal([closeFrame(4000, 'bye')]);
      }),
    );

    it(
      'should stay CLOSING until the test answers when slowClose() has no delay',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().slowClose() });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('o-------(c|)', { o, c: closeEvent(1006, '', false) });
        at(m, 1, () => connection.frames.complete());
        at(m, 8, () => transport.sockets[0].drop());
        m.flush();
        expect(transport.sockets[0].closedBy).to.equal('client');
      }),
    );

    it(
      'should close with 1011 on frames.error(e) and then error with e',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler });
        const connection = transport.open({ url: URL });
        const failure = new Error('codec broke');
        m.expect(connection.events).toBeObservable('o-(c#)', { o, c: closeEvent(1011) }, failure);
        at(m, 2, () => connection.frames.error(failure));
        m.flush();
        expect(transport.sockets[0].error).to.equal(failure);
      }),
    );

    it(
      'should complete without a close event when closed while connecting',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open({ after: 5 }) });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('--|');
        at(m, 2, () => connection.frames.complete());
        m.flush();
        expect(transport.sockets[0].openedAt).to.equal(undefined);
        expect(transport.sockets[0].closedBy).to.equal('client');
      }),
    );
  });

  describe('unsubscription', () => {
    it(
      'should record an unsubscription of an open socket as a close with 1000',
      marbles((m) => {
        const server =       'o---a';
        const subscription = '^--!';
        const expected =     'o---';
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.play(server) });
        const connection = transport.open({ url: URL });
        m.expect(connection.events, subscription).toBeObservable(expected, { o });
        m.flush();
        const socket = transport.sockets[0];
        expect([socket.closedBy, socket.closeCode, socket.closedAt, socket.readyState]).to.deep.equal(['unsubscribe', 1000, 3, 'CLOSED']);
        expect(socket.received).to.deep.equal([]);
        expect(connection.state().readyState).to.equal('NONE');
      }),
    );

    it(
      'should abort a connecting socket on unsubscription and cancel its script',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open({ after: 5 }) });
        const connection = transport.open({ url: URL });
        const subscription = '^-!';
        const expected =     '---';
        m.expect(connection.events, subscription).toBeObservable(expected);
        m.flush();
        const socket = transport.sockets[0];
        expect([socket.closedBy, socket.closeCode, socket.closedAt, socket.openedAt]).to.deep.equal(['unsubscribe', undefined, 2, undefined]);
      }),
    );
  });

  describe('the script', () => {
    it(
      'should be called once per socket with its index over every connection',
      marbles((m) => {
        const calls: [number, number, number][] = [];
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s, i) => {
            calls.push([i, s.connection.index, s.attempt]);
            s.refuse({ after: 1 });
          },
        });
        const first = transport.open({ url: URL });
        const second = transport.open({ url: URL });
        m.expect(first.events.pipe(retry(1))).toBeObservable('--#', {}, new ConnectError(URL, new Error('connect ECONNREFUSED example.test')));
        m.expect(second.events).toBeObservable('-#', {}, new ConnectError(URL, new Error('connect ECONNREFUSED example.test')));
        m.flush();
        expect(calls).to.deep.equal([
          [0, 0, 0],
          [1, 1, 0],
          [2, 0, 1],
        ]);
        expect(first.sockets.map((s) => s.index)).to.deep.equal([0, 2]);
      }),
    );

    it(
      'should error events with what a throwing script threw, and leave nothing scheduled',
      marbles((m) => {
        const failure = new Error('bad script');
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: () => {
            throw failure;
          },
        });
        const connection = transport.open({ url: URL });
        m.expect(connection.events).toBeObservable('#', {}, failure);
        m.flush();
        expect(transport.sockets[0].closedBy).to.equal('peer');
        expect(m.scheduler.now()).to.equal(0);
        expect(connection.state().readyState).to.equal('NONE');
      }),
    );
  });

  describe('misuse of a test socket', () => {
    it(
      'should throw InvalidOptionsError saying what is wrong',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: () => undefined });
        transport.open({ url: URL }).events.subscribe({ error: () => undefined });
        const socket = transport.sockets[0];
        const message = (work: () => void): string => {
          const error = thrown(work);
          expect(error).to.be.instanceOf(InvalidOptionsError);
          return (error as Error).message;
        };
        expect(message(() => socket.close())).to.equal(
          'rxnova: invalid options: TestSocket #0.close() needs a socket in OPEN or CLOSING, but it is CONNECTING',
        );
        expect(message(() => socket.open({ after: -1 }))).to.contain('after must be a finite number');
        expect(message(() => socket.failHandshake(101))).to.contain('other than 101');
        expect(message(() => socket.play('--^-o'))).to.contain('may not contain "^"');
        expect(message(() => socket.play('(ab'))).to.contain('unclosed group');
        socket.open();
        expect(message(() => socket.close(999))).to.contain('1000-4999');
        expect(message(() => socket.refuse())).to.contain('needs a socket in CONNECTING, but it is OPEN');
        socket.drop();
        expect(message(() => socket.receive('late', { after: 1 }))).to.contain('already CLOSED (closed by network)');
      }),
    );
  });

  describe('open()', () => {
    it('should record every request and validate it as a real transport does', () => {
      const transport = new TestTransport();
      const connection = transport.open({ url: 'http://example.test/a', protocols: ['v1'], headers: { Authorization: 'Bearer t' } });
      expect(connection.url).to.equal('ws://example.test/a');
      expect(connection.headers).to.deep.equal({ Authorization: 'Bearer t' });
      expect(thrown(() => transport.open({ url: 'ftp://example.test/' }))).to.be.instanceOf(InvalidUrlError);
      expect(thrown(() => transport.open({ url: URL, protocols: ['a', 'a'] }))).to.be.instanceOf(InvalidOptionsError);
      expect(thrown(() => transport.open({ url: URL, handshakeTimeout: -1 }))).to.be.instanceOf(InvalidOptionsError);
      expect(transport.requests).to.have.length(4);
      expect(transport.connections).to.deep.equal([connection]);
      expect(transport.sockets).to.deep.equal([]);
    });

    it('should refuse headers when capabilities.headers is false', () => {
      const transport = new TestTransport({ capabilities: { headers: false } });
      const error = thrown(() => transport.open({ url: URL, headers: { Authorization: 'Bearer t' } }));
      expect(error).to.be.instanceOf(InvalidOptionsError);
      expect((error as Error).message).to.contain('capabilities.headers false');
      expect(() => transport.open({ url: URL, headers: {} })).not.to.throw();
    });

    it('should reject a config that cannot work', () => {
      expect(thrown(() => new TestTransport({ handshakeTimeout: Number.NaN }))).to.be.instanceOf(InvalidOptionsError);
      expect(thrown(() => new TestTransport({ script: 'open' as unknown as () => void }))).to.be.instanceOf(InvalidOptionsError);
      expect(thrown(() => new TestTransport({ scheduler: {} as never }))).to.be.instanceOf(InvalidOptionsError);
    });
  });

  describe('state()', () => {
    it(
      'should report the ready state over time, like a real transport',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.play('--o---#') });
        const connection = transport.open({ url: URL });
        const states: string[] = [];
        const sample = (): void => {
          states.push(connection.state().readyState);
        };
        sample();
        connection.events.subscribe({ error: () => sample() });
        for (const time of [1, 3]) at(m, time, sample);
        m.flush();
        sample();
        expect(states).to.deep.equal(['NONE', 'CONNECTING', 'OPEN', 'NONE', 'NONE']);
        expect(connection.state().connections).to.equal(1);
      }),
    );

    it(
      'should report the bufferedAmount the test sets, or that a stalled link accumulates',
      marbles((m) => {
        const transport = new TestTransport({ scheduler: m.scheduler, script: (s) => s.open().setBufferedAmount(100, { after: 2 }) });
        const connection = transport.open({ url: URL });
        connection.events.subscribe();
        const amounts: number[] = [];
        const sample = (): void => {
          amounts.push(connection.state().bufferedAmount);
        };
        at(m, 1, sample);
        at(m, 3, () => {
          sample();
          transport.sockets[0].stall();
          connection.frames.next([textFrame('12345'), binaryFrame(new Uint8Array(10))]);
          sample();
          transport.sockets[0].drain({ after: 2 });
        });
        at(m, 6, () => {
          sample();
          connection.frames.next(textFrame('abc'));
          sample();
        });
        m.flush();
        expect(amounts).to.deep.equal([0, 100, 115, 0, 0]);
      }),
    );
  });

  describe('onWrite()', () => {
    it(
      'should let the script answer what this side writes',
      marbles((m) => {
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (s) =>
            s.open().onWrite((frame, socket) => {
              if (frame.type === 'text') socket.receive(frame.data.toUpperCase(), { after: 2 });
            }),
        });
        const connection = transport.open({ url: URL });
        const writes =   '--a-b  ';
        const expected = 'o---A-B';
        m.cold(writes, { a: textFrame('hi'), b: textFrame('yo') }).subscribe((frame) => connection.frames.next(frame));
        m.expect(connection.events).toBeObservable(expected, { o, A: frameEvent('HI'), B: frameEvent('YO') });
      }),
    );
  });

  describe('reconnection', () => {
    it(
      'should let retry reconnect after three refused attempts, at the times the test can assert',
      marbles((m) => {
        const transport = new TestTransport({
          scheduler: m.scheduler,
          script: (socket, i) => (i < 3 ? socket.refuse({ after: 1 }) : socket.open({ after: 5 })),
        });
        const { events } = transport.open({ url: URL });
        m.expect(events.pipe(retry({ delay: 10 }))).toBeObservable('38ms o', { o });
        m.flush();
        expect(transport.sockets.map((s) => s.startedAt)).to.deep.equal([0, 11, 22, 33]);
        expect(transport.sockets.map((s) => s.closedBy ?? s.readyState)).to.deep.equal(['network', 'network', 'network', 'OPEN']);
        expect(transport.last?.openedAt).to.equal(38);
      }),
    );
  });
});
