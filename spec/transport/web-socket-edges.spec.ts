/**
 * webSocketTransport() at the edges of the WHATWG API, driven through a
 * scripted WebSocket (the Transport seam itself is under test): how options
 * and headers are refused, how the constructor is called, what different
 * implementations put in their events, and how the socket is closed and
 * dropped.
 */
import { expect } from 'chai';
import * as vm from 'vm';
import {
  CodecError,
  ConnectError,
  ConnectionClosedError,
  HandshakeError,
  InvalidOptionsError,
  UnsupportedFrameError,
} from '../../src/errors';
import { binaryFrame, closeFrame, pingFrame, pongFrame, textFrame } from '../../src/frame';
import { webSocketTransport } from '../../src/transport/web-socket';
import { recorder } from '../support/record';
import { Scripted, ScriptedOptions, scriptedWebSocket } from '../support/scripted-web-socket';

const URL = 'ws://127.0.0.1:9/socket';
const HIDDEN = 'the WebSocket API does not say why';

describe('webSocketTransport() with a scripted WebSocket', () => {
  const recordings = recorder();
  const { watch } = recordings;
  afterEach(() => recordings.dispose());

  /** A connection on a fresh scripted WebSocket, subscribed (no handshake timeout: nothing is scheduled). */
  function connect(options: ScriptedOptions = {}, protocols?: string[]) {
    const scripted: Scripted = scriptedWebSocket(options);
    const connection = webSocketTransport({ WebSocket: scripted.WebSocket, handshakeTimeout: 0 }).open({ url: URL, protocols });
    const recording = watch(connection.events);
    return { scripted, socket: scripted.last(), connection, recording };
  }

  /** The same, opened. */
  function opened(options: ScriptedOptions = {}) {
    const made = connect(options);
    made.socket.open();
    return made;
  }

  describe('options', () => {
    it('should throw InvalidOptionsError saying it takes an options object when given null or a string', () => {
      const scripted = scriptedWebSocket();
      expect(() => webSocketTransport(null as never)).to.throw(InvalidOptionsError, 'webSocketTransport() takes an options object, got null');
      expect(() => webSocketTransport('x' as never)).to.throw(InvalidOptionsError, 'webSocketTransport() takes an options object, got x');
      expect(() => webSocketTransport(42 as never)).to.throw(InvalidOptionsError, 'takes an options object, got 42');
      expect(webSocketTransport({ WebSocket: scripted.WebSocket }).name).to.equal('web-socket');
    });
  });

  describe('headers', () => {
    const transport = () => webSocketTransport({ WebSocket: scriptedWebSocket().WebSocket, handshakeTimeout: 0 });
    const open = (headers: unknown) => () => transport().open({ url: URL, headers: headers as Record<string, string> });

    it('should refuse header names, joined with a comma, in the message', () => {
      expect(open({ authorization: 'Bearer x' })).to.throw(InvalidOptionsError, 'headers (authorization) cannot be sent');
      expect(open({ authorization: 'Bearer x', 'x-trace': '1' })).to.throw(InvalidOptionsError, 'headers (authorization, x-trace) cannot be sent');
    });

    it('should refuse headers that are not an object, naming them', () => {
      expect(open('token')).to.throw(InvalidOptionsError, 'headers (token) cannot be sent');
      expect(open(5)).to.throw(InvalidOptionsError, 'headers (5) cannot be sent');
      expect(open(null)).to.throw(InvalidOptionsError, 'headers (null) cannot be sent');
    });

    it('should take an empty headers object as no header, and open', () => {
      const scripted = scriptedWebSocket();
      const connection = webSocketTransport({ WebSocket: scripted.WebSocket, handshakeTimeout: 0 }).open({ url: URL, headers: {} });
      watch(connection.events);
      expect(scripted.last().constructedWith).to.deep.equal([URL]);
    });
  });

  describe('the constructor call', () => {
    it('should pass the URL only when no subprotocol is offered, and binaryType arraybuffer', () => {
      const { socket } = connect();
      expect(socket.constructedWith).to.deep.equal([URL]);
      expect(socket.binaryType).to.equal('arraybuffer');
      const { socket: withEmptyList } = connect({}, []);
      expect(withEmptyList.constructedWith).to.have.lengthOf(1);
    });

    it('should pass the URL and the subprotocols when some are offered', () => {
      const { socket } = connect({}, ['chat.v1', 'chat.v2']);
      expect(socket.constructedWith).to.deep.equal([URL, ['chat.v1', 'chat.v2']]);
    });
  });

  describe('the open event', () => {
    it("should report extensions '' when the implementation has no extensions property", async () => {
      const { socket, recording, connection } = connect();
      expect('extensions' in socket).to.equal(false);
      socket.open('chat.v1');
      expect(await recording.opened()).to.deep.equal({ type: 'open', protocol: 'chat.v1', extensions: '' });
      expect(connection.state()).to.include({ readyState: 'OPEN', protocol: 'chat.v1', extensions: '' });
    });

    it('should report the extensions the implementation names', async () => {
      const { socket, recording } = connect({ extensions: 'permessage-deflate' });
      socket.open();
      expect(await recording.opened()).to.deep.equal({ type: 'open', protocol: '', extensions: 'permessage-deflate' });
    });
  });

  describe('binary data', () => {
    it('should deliver an ArrayBuffer as a Uint8Array', () => {
      const { socket, recording, connection } = opened();
      socket.message(new Uint8Array([1, 2, 3]).buffer);
      expect(recording.frames()).to.deep.equal([binaryFrame(new Uint8Array([1, 2, 3]))]);
      expect(connection.state()).to.include({ framesReceived: 1, bytesReceived: 3 });
    });

    it('should deliver only the bytes of a typed-array view, from its byteOffset', () => {
      const { socket, recording, connection } = opened();
      const buffer = new Uint8Array([9, 9, 1, 2, 3, 9]).buffer;
      socket.message(new Uint8Array(buffer, 2, 3));
      socket.message(new DataView(buffer, 1, 2));
      expect(recording.frames()).to.deep.equal([binaryFrame(new Uint8Array([1, 2, 3])), binaryFrame(new Uint8Array([9, 1]))]);
      expect(connection.state()).to.include({ framesReceived: 2, bytesReceived: 5 });
      expect(socket.closes).to.deep.equal([]);
    });

    it("should deliver another realm's ArrayBuffer (not instanceof this realm's ArrayBuffer)", () => {
      const { socket, recording } = opened();
      const foreign: unknown = vm.runInNewContext('const b = new ArrayBuffer(3); new Uint8Array(b).set([7, 8, 9]); b');
      expect(foreign instanceof ArrayBuffer).to.equal(false);
      socket.message(foreign);
      expect(recording.frames()).to.deep.equal([binaryFrame(new Uint8Array([7, 8, 9]))]);
      expect(recording.end()).to.equal(undefined);
    });

    it("should close with 1003 'unsupported binary data type' and fail with CodecError('decode') naming the type, for a Blob", async () => {
      const { socket, recording } = opened();
      socket.message(new Blob([new Uint8Array([1])]));
      const error = await recording.error();
      expect(error).to.be.instanceOf(CodecError);
      expect(error).to.include({ direction: 'decode' });
      expect((error as Error).message).to.contain('binary message arrived as Blob');
      expect((error as { cause?: unknown }).cause).to.be.instanceOf(TypeError);
      expect(socket.closes).to.deep.equal([[1003, 'unsupported binary data type']]);
    });

    it('should close with 1000 when the implementation refuses 1003, as browsers do', async () => {
      const { socket, recording } = opened({ refuseClose: [1003] });
      socket.message({ size: 1 });
      expect(await recording.error()).to.be.instanceOf(CodecError);
      expect(socket.closes).to.deep.equal([
        [1003, 'unsupported binary data type'],
        [1000, 'unsupported binary data type'],
      ]);
    });

    it('should do nothing with unsupported data that arrives after the subscription ended', async () => {
      const { socket, recording } = opened();
      socket.message({ size: 1 });
      await recording.error();
      socket.message({ size: 2 });
      recording.subscription.unsubscribe();
      const late = connect();
      late.socket.open();
      late.recording.subscription.unsubscribe();
      late.socket.message({ size: 3 });
      expect(socket.closes).to.deep.equal([[1003, 'unsupported binary data type']]);
      expect(late.socket.closes).to.deep.equal([[1000]]);
    });
  });

  describe('error events before open', () => {
    it("should fail with HandshakeError 401 when the error names ws's 'Unexpected server response: 401'", async () => {
      const { socket, recording } = connect();
      const cause = new Error('Unexpected server response: 401');
      socket.error({ type: 'error', message: cause.message, error: cause });
      const error = await recording.error();
      expect(error).to.be.instanceOf(HandshakeError);
      expect(error).to.deep.include({ status: 401, headers: {} });
      expect((error as Error).message).to.equal(
        'rxnova: handshake failed: HTTP status 401: the WebSocket implementation reports the status only; headers are not available',
      );
      expect(recording.log).to.deep.equal([]);
    });

    it('should fail with ConnectError whose cause is the event\'s error, when it is an Error', async () => {
      const { socket, recording } = connect();
      const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
      socket.error({ type: 'error', message: cause.message, error: cause });
      const error = await recording.error();
      expect(error).to.be.instanceOf(ConnectError);
      expect(error).to.include({ cause, causeCode: 'ECONNREFUSED' });
    });

    for (const [what, event] of [
      ['a plain event', { type: 'error' }],
      ['an event whose error is null', { type: 'error', error: null }],
      ['an event whose error is undefined', { type: 'error', error: undefined }],
      ['an event whose error is not an Error', { type: 'error', error: 'refused' }],
      ['an event whose message is not a string', { type: 'error', message: new Error('Unexpected server response: 401') }],
      ['null', null],
      ['a string', 'Unexpected server response: 401'],
    ] as const) {
      it(`should fail with ConnectError saying the reason is hidden, for ${what}`, async () => {
        const { socket, recording } = connect();
        socket.error(event);
        const error = await recording.error();
        expect(error).to.be.instanceOf(ConnectError);
        expect((error as Error).message).to.contain(HIDDEN);
        expect((error as { cause?: unknown }).cause).to.be.instanceOf(Error);
      });
    }
  });

  describe('error events after open', () => {
    it("should keep the event's error as the cause of the close that follows, without failing at once", async () => {
      const { socket, recording } = opened();
      const cause = new Error('read ECONNRESET');
      socket.error({ type: 'error', error: cause, message: cause.message });
      expect(recording.end()).to.equal(undefined);
      socket.closed(1006, '', false);
      const error = await recording.error();
      expect(error).to.be.instanceOf(ConnectionClosedError);
      expect(error).to.include({ closeCode: 1006, wasClean: false, cause });
      expect(recording.log.map((event) => event.type)).to.deep.equal(['open', 'close']);
    });

    for (const [what, event] of [
      ['a plain event', { type: 'error' }],
      ['an event whose error is null', { type: 'error', error: null }],
      ['an event whose error is undefined', { type: 'error', error: undefined }],
      ['a string', 'boom'],
    ] as const) {
      it(`should keep the event itself as the cause, for ${what}`, async () => {
        const { socket, recording } = opened();
        socket.error(event);
        socket.closed(1006, '', false);
        const error = await recording.error();
        expect(error).to.be.instanceOf(ConnectionClosedError);
        expect((error as { cause?: unknown }).cause).to.equal(event);
      });
    }

    it('should keep a null event as the cause', async () => {
      const { socket, recording } = opened();
      socket.error(null);
      socket.closed(1006, '', false);
      const error = await recording.error();
      expect(error).to.be.instanceOf(ConnectionClosedError);
      expect(Object.getOwnPropertyDescriptor(error, 'cause')?.value).to.equal(null);
    });
  });

  describe('close frames', () => {
    it('should call close() with no arguments for a close frame without a code', () => {
      const { socket, connection } = opened();
      connection.frames.next(closeFrame());
      expect(socket.closes).to.deep.equal([[]]);
    });

    it('should call close(code) with one argument for a code without a reason', () => {
      const { socket, connection } = opened();
      connection.frames.next(closeFrame(4000));
      expect(socket.closes).to.deep.equal([[4000]]);
    });

    it('should call close(code, reason) for a code and a reason', () => {
      const { socket, connection } = opened();
      connection.frames.next(closeFrame(4000, 'bye'));
      expect(socket.closes).to.deep.equal([[4000, 'bye']]);
    });

    it('should throw UnsupportedFrameError naming the close, the code and the cause when close() throws', () => {
      const { connection } = opened({ refuseClose: [4000] });
      expect(() => connection.frames.next(closeFrame(4000, 'bye')))
        .to.throw(UnsupportedFrameError, 'unsupported frame "close": this WebSocket implementation refused close code 4000')
        .with.property('message')
        .that.contains('close code 4000 refused');
      expect(() => connection.frames.next(closeFrame(4000, 'bye'))).to.throw(UnsupportedFrameError).with.property('frameType', 'close');
    });

    it('should throw UnsupportedFrameError naming ping and pong frames', () => {
      const { connection, socket } = opened();
      expect(() => connection.frames.next(pingFrame('x'))).to.throw(UnsupportedFrameError).with.property('frameType', 'ping');
      expect(() => connection.frames.next(pongFrame('x'))).to.throw(UnsupportedFrameError).with.property('frameType', 'pong');
      connection.frames.next(textFrame('sent'));
      expect(socket.sent).to.deep.equal(['sent']);
    });
  });

  describe('unsubscribing', () => {
    it('should close() a socket still connecting, even one that has terminate()', () => {
      for (const terminate of [false, true]) {
        const { socket, recording } = connect({ terminate });
        recording.subscription.unsubscribe();
        expect(socket.closes, `terminate: ${terminate}`).to.deep.equal([[]]);
        expect(socket.terminated).to.equal(0);
      }
    });

    it('should terminate() a closing socket when the implementation can', () => {
      const { socket, connection, recording } = opened({ terminate: true });
      connection.frames.next(closeFrame(1000));
      expect(connection.state().readyState).to.equal('CLOSING');
      recording.subscription.unsubscribe();
      expect(socket.terminated).to.equal(1);
      expect(socket.closes).to.deep.equal([[1000]]);
    });

    it('should leave a closing socket alone when the implementation has no terminate()', () => {
      const { socket, connection, recording } = opened();
      connection.frames.next(closeFrame(1000));
      recording.subscription.unsubscribe();
      expect(socket.closes).to.deep.equal([[1000]]);
    });

    it('should close an open socket with 1000', () => {
      const { socket, recording } = opened({ terminate: true });
      recording.subscription.unsubscribe();
      expect(socket.closes).to.deep.equal([[1000]]);
      expect(socket.terminated).to.equal(0);
    });
  });
});
