/**
 * What only wsTransport() can do: ping and pong frames, custom headers, TLS
 * options, maxPayload, permessage-deflate, redirects, and the handshake
 * response's status and headers.
 */
import { expect } from 'chai';
import { EventEmitter } from 'events';
import type { Socket } from 'net';
import WebSocket from 'ws';
import {
  ConnectError,
  ConnectionClosedError,
  HandshakeError,
  InvalidOptionsError,
} from '../../src/errors';
import { binaryFrame, pingFrame, pongFrame, textFrame } from '../../src/frame';
import { wsTransport } from '../../src/transport/ws';
import { closingHandshakeOf, corkableSocketOf, writeQueueSizeOf } from '../../src/transport/ws-socket';
import type { SocketConnection } from '../../src/transport/socket-connection';
import { startResponseServer, startWsEchoServer, TLS_CERT, WsEchoServer } from '../support/peers';
import { recorder } from '../support/record';

describe('wsTransport()', () => {
  let server: WsEchoServer;
  let tlsServer: WsEchoServer;
  let deflateServer: WsEchoServer;
  const recordings = recorder();
  const { watch } = recordings;

  before(async () => {
    server = await startWsEchoServer({ handleProtocols: () => 'never-offered' });
    tlsServer = await startWsEchoServer({ tls: true });
    deflateServer = await startWsEchoServer({ perMessageDeflate: true });
  });
  afterEach(() => recordings.dispose());
  after(async () => {
    await server?.stop();
    await tlsServer?.stop();
    await deflateServer?.stop();
  });

  it("should be named 'ws' and say it can send pings and headers", () => {
    const transport = wsTransport();
    expect(transport.name).to.equal('ws');
    expect(transport.capabilities).to.deep.equal({ ping: true, headers: true });
  });

  it('should throw InvalidOptionsError for options that cannot work', () => {
    expect(() => wsTransport({ maxPayload: 0 })).to.throw(InvalidOptionsError, 'maxPayload');
    expect(() => wsTransport({ maxPayload: 1.5 })).to.throw(InvalidOptionsError, 'maxPayload');
    expect(() => wsTransport({ handshakeTimeout: -1 })).to.throw(InvalidOptionsError, 'handshakeTimeout');
    expect(() => wsTransport({ scheduler: {} as never })).to.throw(InvalidOptionsError, 'scheduler');
    expect(() => wsTransport(null as never)).to.throw(InvalidOptionsError, 'options object');
  });

  it('should send custom headers with the upgrade request', async () => {
    const url = server.url();
    const connection = wsTransport().open({ url, headers: { Authorization: 'Bearer abc', 'X-Trace': '42' } });
    watch(connection.events);
    const seen = await server.connection(url);
    expect(seen.request.headers).to.include({ authorization: 'Bearer abc', 'x-trace': '42' });
  });

  it('should throw InvalidOptionsError for a header that would break the request', () => {
    const transport = wsTransport();
    expect(() => transport.open({ url: server.url(), headers: { 'X-Bad': 'a\r\nInjected: yes' } })).to.throw(InvalidOptionsError, 'X-Bad');
    expect(() => transport.open({ url: server.url(), headers: { 'bad name': 'x' } })).to.throw(InvalidOptionsError, 'header name');
    for (const value of ['a\nb', 'a\rb', 'a\u0000b', 42, undefined]) {
      expect(() => transport.open({ url: server.url(), headers: { 'X-Value': value as string } }), JSON.stringify(value)).to.throw(
        InvalidOptionsError,
        'headers: the value of "X-Value" must be a string without CR, LF or NUL',
      );
    }
    for (const headers of [null, 'Authorization: x', 7]) {
      expect(() => transport.open({ url: server.url(), headers: headers as never }), String(headers)).to.throw(
        InvalidOptionsError,
        `headers must be an object of header names to string values, got ${String(headers)}`,
      );
    }
  });

  it('should send no custom header for an empty headers object, and a copy of the headers given', async () => {
    const url = server.url();
    const headers: Record<string, string> = { 'X-Trace': '1' };
    const connection = wsTransport().open({ url, headers });
    headers['X-Trace'] = 'changed after open()';
    watch(connection.events);
    expect((await server.connection(url)).request.headers['x-trace']).to.equal('1');
    const bare = `${url}bare`;
    watch(wsTransport().open({ url: bare, headers: {} }).events);
    expect((await server.connection(bare)).request.headers['x-trace']).to.equal(undefined);
  });

  it('should send ping and pong frames and count them', async () => {
    const url = server.url();
    const connection = wsTransport().open({ url });
    const recording = watch(connection.events);
    await recording.opened();
    connection.frames.next([pingFrame(), pongFrame('unsolicited')]);
    expect(await recording.frame()).to.deep.equal({ type: 'pong' });
    connection.frames.next(textFrame('sync'));
    await recording.frame(2);
    const seen = await server.connection(url);
    expect(seen.messages).to.deep.equal(['sync']);
    expect(connection.state()).to.include({ framesSent: 3, bytesSent: 11 + 4, framesReceived: 2, bytesReceived: 4 });
  });

  it("should report the server's ping and answer it by itself", async () => {
    const url = server.url();
    const connection = wsTransport().open({ url });
    const recording = watch(connection.events);
    await recording.opened();
    connection.frames.next(textFrame('ping:beat'));
    expect(await recording.frame()).to.deep.equal({ type: 'ping', data: new Uint8Array(Buffer.from('beat')) });
    connection.frames.next(textFrame('sync'));
    await recording.frame(2);
    const seen = await server.connection(url);
    expect(seen.pongs.map((pong) => pong.toString())).to.deep.equal(['beat']);
  });

  it('should close with 1009 when a message is larger than maxPayload', async () => {
    const url = server.url();
    const connection = wsTransport({ maxPayload: 1024 }).open({ url });
    const recording = watch(connection.events);
    await recording.opened();
    connection.frames.next(textFrame('x'.repeat(1024)));
    expect(await recording.frame()).to.deep.equal(textFrame('x'.repeat(1024)));
    connection.frames.next(textFrame('x'.repeat(1025)));
    const error = await recording.error();
    expect(error).to.be.instanceOf(ConnectionClosedError);
    expect(error).to.include({ closeCode: 1009 });
    expect((error as Error & { cause?: unknown }).cause).to.be.instanceOf(RangeError);
    expect(recording.log[recording.log.length - 1]).to.deep.equal({ type: 'close', code: 1009, reason: '', wasClean: false });
    expect(await server.closeSeen(url)).to.include({ code: 1009 });
  });

  it('should close with 1007 and error with ConnectionClosedError 1007 when the server sends invalid UTF-8', async () => {
    const url = server.url();
    const connection = wsTransport().open({ url });
    const recording = watch(connection.events);
    await recording.opened();
    const seen = await server.connection(url);
    // A final, unmasked text frame of two bytes that are not UTF-8, written under ws's feet.
    (seen.socket as unknown as { _socket: Socket })._socket.write(Buffer.from([0x81, 0x02, 0xff, 0xfe]));
    const error = await recording.error();
    expect(error).to.be.instanceOf(ConnectionClosedError);
    expect(error).to.include({ closeCode: 1007, wasClean: false });
    expect(recording.frames()).to.deep.equal([]);
    expect(await server.closeSeen(url)).to.include({ code: 1007 });
  });

  it('should accept 16 MiB and refuse 16 MiB + 1 byte by default (not ws’s 100 MiB)', async () => {
    const url = server.url();
    const connection = wsTransport().open({ url });
    const recording = watch(connection.events);
    await recording.opened();
    connection.frames.next({ type: 'binary', data: new Uint8Array(16 * 1024 * 1024) });
    const frame = await recording.frame();
    expect(frame.type === 'binary' && frame.data.byteLength).to.equal(16 * 1024 * 1024);
    connection.frames.next({ type: 'binary', data: new Uint8Array(16 * 1024 * 1024 + 1) });
    expect(await recording.error()).to.include({ closeCode: 1009 });
  });

  it('should not offer permessage-deflate by default, and negotiate it when asked', async () => {
    const plain = wsTransport().open({ url: deflateServer.url() });
    const plainRecording = watch(plain.events);
    expect(await plainRecording.opened()).to.deep.equal({ type: 'open', protocol: '', extensions: '' });

    const url = deflateServer.url();
    const compressed = wsTransport({ perMessageDeflate: { threshold: 0 } }).open({ url });
    const recording = watch(compressed.events);
    expect(await recording.opened()).to.deep.equal({ type: 'open', protocol: '', extensions: 'permessage-deflate' });
    compressed.frames.next(textFrame('squeeze '.repeat(100)));
    expect(await recording.frame()).to.deep.equal(textFrame('squeeze '.repeat(100)));
    expect(compressed.state()).to.include({ extensions: 'permessage-deflate', bytesSent: 800, bytesReceived: 800 });
    expect((await deflateServer.connection(url)).request.headers['sec-websocket-extensions']).to.contain('permessage-deflate');
  });

  it('should give HandshakeError 101 with the headers when the server answers with a subprotocol nobody offered', async () => {
    const connection = wsTransport().open({ url: server.url(), protocols: ['chat.v1'] });
    const recording = watch(connection.events);
    const error = await recording.error();
    expect(error).to.be.instanceOf(HandshakeError);
    expect(error).to.include({ status: 101 });
    expect((error as HandshakeError).headers).to.include({ 'sec-websocket-protocol': 'never-offered', upgrade: 'websocket' });
    expect((error as Error).message).to.contain('invalid subprotocol');
  });

  describe('redirects', () => {
    it('should give HandshakeError 302 with its location by default, and follow it with followRedirects', async () => {
      const target = server.url();
      const redirecting = await startResponseServer(302, 'Found', { Location: target });
      try {
        const refused = watch(wsTransport().open({ url: redirecting.url }).events);
        const error = await refused.error();
        expect(error).to.be.instanceOf(HandshakeError);
        expect(error).to.include({ status: 302 });
        expect((error as HandshakeError).headers).to.include({ location: target });

        const followed = watch(wsTransport({ followRedirects: true }).open({ url: redirecting.url }).events);
        await followed.opened();
        expect((await server.connection(target)).path).to.equal(new URL(target).pathname);
      } finally {
        await redirecting.stop();
      }
    });
  });

  describe('TLS', () => {
    it('should refuse a self-signed certificate with ConnectError carrying its code', async () => {
      const recording = watch(wsTransport().open({ url: tlsServer.url() }).events);
      const error = await recording.error();
      expect(error).to.be.instanceOf(ConnectError);
      expect(error).to.include({ causeCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    });

    it('should trust the certificate authorities passed as ca, and map https: to wss:', async () => {
      const url = tlsServer.url().replace('wss://', 'https://');
      const connection = wsTransport({ ca: TLS_CERT }).open({ url });
      const recording = watch(connection.events);
      await recording.opened();
      expect(connection.state().url).to.equal(url.replace('https://', 'wss://'));
      connection.frames.next(textFrame('over TLS'));
      expect(await recording.frame()).to.deep.equal(textFrame('over TLS'));
    });

    it('should check the certificate against servername', async () => {
      const recording = watch(wsTransport({ ca: TLS_CERT, servername: 'not-localhost.example' }).open({ url: tlsServer.url() }).events);
      const error = await recording.error();
      expect(error).to.be.instanceOf(ConnectError);
      expect(error).to.include({ causeCode: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    });

    it('should connect without verification when rejectUnauthorized is false', async () => {
      const recording = watch(wsTransport({ rejectUnauthorized: false }).open({ url: tlsServer.url() }).events);
      await recording.opened();
    });
  });

  describe("ws's private internals", () => {
    /** The live ws socket of a connection (`SocketConnection` is the shared code behind wsTransport). */
    const wsOf = (connection: unknown): WebSocket => (connection as SocketConnection).current?.driver as unknown as WebSocket;

    it('should listen to five public events, one listener each, and leave emit alone', async () => {
      const connection = wsTransport().open({ url: server.url() });
      await watch(connection.events).opened();
      const ws = wsOf(connection);
      expect(ws.emit).to.equal(EventEmitter.prototype.emit);
      expect(ws.eventNames().sort()).to.deep.equal(['close', 'error', 'message', 'ping', 'pong']);
      for (const event of ws.eventNames()) expect(ws.listenerCount(event), String(event)).to.equal(1);
    });

    it('should use the TCP socket for batching only when it is an object with cork and uncork functions', () => {
      const raw = { cork: () => undefined, uncork: () => undefined };
      expect(corkableSocketOf({ _socket: raw })).to.equal(raw);
      expect(corkableSocketOf({})).to.equal(undefined);
      expect(corkableSocketOf({ _socket: null })).to.equal(undefined);
      expect(corkableSocketOf({ _socket: { cork: () => undefined } })).to.equal(undefined);
      expect(corkableSocketOf({ _socket: { cork: 1, uncork: 2 } })).to.equal(undefined);
    });

    it('should read the closing-handshake flags only when both are booleans', () => {
      expect(closingHandshakeOf({ _closeFrameReceived: true, _closeFrameSent: true })).to.equal(true);
      expect(closingHandshakeOf({ _closeFrameReceived: true, _closeFrameSent: false })).to.equal(false);
      expect(closingHandshakeOf({})).to.equal(undefined);
      expect(closingHandshakeOf({ _closeFrameReceived: 1, _closeFrameSent: true })).to.equal(undefined);
    });

    it("should read Node's write queue only when the TCP socket and its handle are objects and the size a number", () => {
      expect(writeQueueSizeOf({ _socket: { _handle: { writeQueueSize: 42 } } })).to.equal(42);
      expect(writeQueueSizeOf({})).to.equal(undefined);
      expect(writeQueueSizeOf({ _socket: null })).to.equal(undefined);
      expect(writeQueueSizeOf({ _socket: {} })).to.equal(undefined);
      expect(writeQueueSizeOf({ _socket: { _handle: { writeQueueSize: '42' } } })).to.equal(undefined);
    });

    it("should report writing (Node's write queue) in state() while open, and undefined when the internals are absent", async () => {
      const url = server.url();
      const connection = wsTransport().open({ url });
      const recording = watch(connection.events);
      await recording.opened();
      expect(connection.state().writing).to.be.a('number');
      Object.defineProperty(wsOf(connection), 'writing', { get: () => undefined });
      expect(connection.state().writing).to.equal(undefined);
      // The count of frames that left still works: it does not rest on the write queue.
      const before = connection.written!();
      connection.frames.next(textFrame('hello'));
      await recording.frame(1);
      expect(connection.written!()).to.equal(before + 1);
    });

    it('should send a burst with plain sends, every frame in order, when ws exposes no TCP socket to cork', async () => {
      const url = server.url();
      const connection = wsTransport().open({ url });
      const recording = watch(connection.events);
      await recording.opened();
      // Shadow the seam on the live socket: the internal is "absent".
      Object.defineProperty(wsOf(connection), 'rawSocket', { value: () => undefined });
      const burst = Array.from({ length: 500 }, (_, i) => textFrame(`m${i}`));
      connection.frames.next(burst);
      connection.frames.next(binaryFrame(new Uint8Array(100 * 1024)));
      await recording.frame(501);
      expect(recording.frames().slice(0, 500)).to.deep.equal(burst);
      expect((await server.connection(url)).messages.length).to.equal(501);
    });

    it('should report wasClean by the fallback rule when the closing-handshake flags are absent: clean unless 1006', async () => {
      const closedUrl = server.url();
      const closed = wsTransport().open({ url: closedUrl });
      const closing = watch(closed.events);
      await closing.opened();
      Object.defineProperty(wsOf(closed), 'closingHandshake', { value: () => undefined });
      closed.frames.next(textFrame('close:4000:bye'));
      expect(await closing.error()).to.include({ closeCode: 4000, wasClean: true });

      const droppedUrl = server.url();
      const dropped = wsTransport().open({ url: droppedUrl });
      const dropping = watch(dropped.events);
      await dropping.opened();
      Object.defineProperty(wsOf(dropped), 'closingHandshake', { value: () => undefined });
      (await server.connection(droppedUrl)).socket.terminate();
      expect(await dropping.error()).to.include({ closeCode: 1006, wasClean: false });
    });
  });
});
