import { expect } from 'chai';
import { asyncScheduler, retry } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import {
  ConnectError,
  ConnectionClosedError,
  ConnectTimeoutError,
  HandshakeError,
  InvalidFrameError,
  InvalidOptionsError,
  NotOpenError,
  UnsupportedFrameError,
} from '../../src/errors';
import { Frame, binaryFrame, closeFrame, pingFrame, pongFrame, textFrame } from '../../src/frame';
import type { TransportEvent } from '../../src/transport/transport';
import { TestTransport } from '../../src/testing/test-transport';
import { closeEvent, frameEvent, openEvent } from '../../src/testing/transport-events';
import { at, o, thrown, URL } from './support';


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
});
