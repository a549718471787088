/**
 * wsTransport()'s socket at its edges, against real `ws` servers on
 * 127.0.0.1: the protocol errors a peer can cause and the close code each
 * ends with, pong frames, a followed redirect that then fails, handshake
 * headers that repeat, and how a burst of sends is corked (observed on ws's
 * TCP socket, the private part the batching relies on).
 */
import { expect } from 'chai';
import { createServer, IncomingMessage } from 'http';
import type { AddressInfo, Socket } from 'net';
import WebSocket from 'ws';
import { ConnectError, ConnectionClosedError, HandshakeError } from '../../src/errors';
import { binaryFrame, pongFrame, textFrame } from '../../src/frame';
import type { SocketConnection } from '../../src/transport/socket-connection';
import type { TransportConnection } from '../../src/transport/transport';
import { wsTransport } from '../../src/transport/ws';
import { closingHandshakeOf, corkableSocketOf, writeQueueSizeOf } from '../../src/transport/ws-socket';
import { closedPort, eventually, ServerConnection, startResponseServer, startWsEchoServer, WsEchoServer } from '../support/peers';
import { recorder } from '../support/record';

/** The live ws socket of a connection (`SocketConnection` is the shared code behind wsTransport). */
const wsOf = (connection: TransportConnection): WebSocket => (connection as SocketConnection).current?.driver as unknown as WebSocket;

/** The TCP socket under ws (private `_socket`). */
const tcpOf = (ws: WebSocket): Socket => (ws as unknown as { _socket: Socket })._socket;

/** Whether the spied call comes from ws's own sender (it corks around the header and payload of one frame). */
const fromWsSender = (): boolean => (new Error().stack ?? '').split('\n').slice(0, 4).some((line) => /[\\/]ws[\\/]lib[\\/]sender\.js/.test(line));

/** Records the cork() and uncork() calls made on ws's TCP socket by the batching (not ws's own, balanced ones). */
function spyCorks(connection: TransportConnection): { calls: string[]; raw: Socket } {
  const raw = tcpOf(wsOf(connection));
  const calls: string[] = [];
  const cork = raw.cork.bind(raw);
  const uncork = raw.uncork.bind(raw);
  Object.assign(raw, {
    cork: () => {
      if (!fromWsSender()) calls.push('cork');
      cork();
    },
    uncork: () => {
      if (!fromWsSender()) calls.push('uncork');
      uncork();
    },
  });
  return { calls, raw };
}

/** Stops the server reading from its TCP socket for good (ws would resume it): it answers nothing any more. */
function stopReading(seen: ServerConnection): Socket {
  const raw = tcpOf(seen.socket);
  Object.assign(raw, { resume: () => raw });
  raw.pause();
  return raw;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('wsTransport() at the edges of ws', () => {
  let server: WsEchoServer;
  let deflateServer: WsEchoServer;
  const recordings = recorder();
  const { watch } = recordings;

  before(async () => {
    server = await startWsEchoServer();
    deflateServer = await startWsEchoServer({ perMessageDeflate: true });
  });
  afterEach(() => recordings.dispose());
  after(async () => {
    await server?.stop();
    await deflateServer?.stop();
  });

  async function opened() {
    const url = server.url();
    const connection = wsTransport().open({ url });
    const recording = watch(connection.events);
    await recording.opened();
    const seen = await server.connection(url);
    return { url, connection, recording, seen };
  }

  describe('protocol errors of the peer', () => {
    /** Writes raw bytes to the client under the server's feet, and stops the server reading: it will never answer a close. */
    async function peerWrites(bytes: Buffer, made?: Awaited<ReturnType<typeof opened>>) {
      made ??= await opened();
      stopReading(made.seen).write(bytes);
      return made;
    }

    it('should end at once with the code ws sent (1002, not 1006) when the peer never answers the close, e.g. for an invalid opcode', async () => {
      const { recording } = await peerWrites(Buffer.from([0x83, 0x00]));
      const error = await recording.error();
      expect(error).to.be.instanceOf(ConnectionClosedError);
      expect(error).to.include({ closeCode: 1002, wasClean: false });
      expect((error as { cause?: unknown }).cause).to.be.instanceOf(RangeError).and.include({ code: 'WS_ERR_INVALID_OPCODE' });
      expect(recording.log[recording.log.length - 1]).to.deep.equal({ type: 'close', code: 1002, reason: '', wasClean: false });
    });

    it('should end with 1009 for a frame whose 64-bit length is over 2^53 - 1', async () => {
      const { recording } = await peerWrites(Buffer.from([0x82, 0x7f, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
      const error = await recording.error();
      expect(error).to.include({ closeCode: 1009, wasClean: false });
      expect((error as { cause?: unknown }).cause).to.include({ code: 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH' });
    });

    it('should end at once with 1007, the code ws sent, when a compressed message cannot be inflated', async () => {
      const url = deflateServer.url();
      const connection = wsTransport({ perMessageDeflate: { threshold: 0 } }).open({ url });
      const recording = watch(connection.events);
      expect(await recording.opened()).to.include({ extensions: 'permessage-deflate' });
      const seen = await deflateServer.connection(url);
      // A final binary frame with RSV1 (compressed) whose deflate data is invalid (block type 3).
      await peerWrites(Buffer.from([0xc2, 0x03, 0xff, 0xff, 0xff]), { url, connection, recording, seen });
      const error = await recording.error();
      expect(error).to.be.instanceOf(ConnectionClosedError);
      expect(error).to.include({ closeCode: 1007, wasClean: false });
      expect((error as { cause?: unknown }).cause).to.include({ code: 'Z_DATA_ERROR' });
    });

    it('should end with 1008 for a message in more fragments than ws takes (16384)', async () => {
      const fragments = [Buffer.from([0x01, 0x01, 0x61])];
      for (let i = 0; i < 16 * 1024; i++) fragments.push(Buffer.from([0x00, 0x01, 0x61]));
      const { recording } = await peerWrites(Buffer.concat(fragments));
      const error = await recording.error();
      expect(error).to.include({ closeCode: 1008, wasClean: false });
      expect((error as { cause?: unknown }).cause).to.include({ code: 'WS_ERR_TOO_MANY_BUFFERED_PARTS' });
      expect(recording.frames()).to.deep.equal([]);
    });
  });

  it('should send pong frames, with their payload, to the server', async () => {
    const { connection, seen, recording } = await opened();
    connection.frames.next(pongFrame('unsolicited'));
    connection.frames.next(textFrame('after'));
    await recording.frame();
    await eventually('the pong to reach the server', () => seen.pongs.length > 0);
    expect(seen.pongs.map(String)).to.deep.equal(['unsolicited']);
  });

  it('should not count in written() a frame still queued when the socket is dropped', async () => {
    const { connection, seen, recording } = await opened();
    stopReading(seen);
    connection.frames.next(textFrame('small'));
    await eventually('the small frame to leave', () => connection.written!() === 1);
    // Far more than the loopback buffers hold while the server does not read: it stays in flight...
    connection.frames.next(binaryFrame(new Uint8Array(64 * 1024 * 1024)));
    await nextTurn();
    expect(connection.written!()).to.equal(1);
    // ...and this one waits behind it in the TCP socket's queue.
    connection.frames.next(textFrame('queued'));
    connection.frames.complete();
    expect(connection.state().readyState).to.equal('CLOSING');
    const ws = wsOf(connection);
    const dropped = new Promise((resolve) => ws.once('close', resolve));
    recording.subscription.unsubscribe();
    await dropped;
    await nextTurn();
    // The queued frame fails, and is not counted. (Whether the write destroy() cut short counts depends on the Node
    // version: Node 20 reports it as done, Node 22 as failed.)
    expect(connection.written!()).to.be.oneOf([1, 2]);
  });

  describe('the handshake', () => {
    it('should fail with ConnectError, not HandshakeError 302, when a followed redirect leads to a closed port', async () => {
      const port = await closedPort();
      const redirecting = await startResponseServer(302, 'Found', { Location: `ws://127.0.0.1:${port}/gone` });
      try {
        const error = await watch(wsTransport({ followRedirects: true }).open({ url: redirecting.url }).events).error();
        expect(error).to.be.instanceOf(ConnectError);
        expect(error).to.include({ causeCode: 'ECONNREFUSED' });
      } finally {
        await redirecting.stop();
      }
    });

    it("should join a repeated response header's values with ', ' in HandshakeError.headers", async () => {
      const http = createServer();
      http.on('upgrade', (_request: IncomingMessage, socket: Socket) => {
        socket.on('error', () => undefined);
        socket.end(['HTTP/1.1 401 Unauthorized', 'Set-Cookie: a=1', 'Set-Cookie: b=2', 'X-Reason: Expired', 'Content-Length: 0', 'Connection: close', '', ''].join('\r\n'));
      });
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = http.address() as AddressInfo;
        const error = await watch(wsTransport().open({ url: `ws://127.0.0.1:${port}/` }).events).error();
        expect(error).to.be.instanceOf(HandshakeError);
        expect(error).to.include({ status: 401 });
        expect((error as HandshakeError).headers).to.include({ 'set-cookie': 'a=1, b=2', 'x-reason': 'Expired' });
      } finally {
        http.closeAllConnections();
        await new Promise((resolve) => http.close(resolve));
      }
    });
  });

  describe("batching on ws's TCP socket", () => {
    it('should write a lone send at once: no cork, no uncork', async () => {
      const { connection, recording } = await opened();
      const { calls } = spyCorks(connection);
      connection.frames.next(textFrame('alone'));
      await nextTurn();
      expect(calls).to.deep.equal([]);
      expect(await recording.frame()).to.deep.equal(textFrame('alone'));
    });

    it('should cork from the second send of a tick and uncork once after it, for text and binary', async () => {
      const { connection, recording } = await opened();
      const { calls } = spyCorks(connection);
      connection.frames.next([textFrame('a'), textFrame('b'), textFrame('c')]);
      expect(calls).to.deep.equal(['cork']);
      await nextTurn();
      expect(calls).to.deep.equal(['cork', 'uncork']);
      await recording.frame(3);

      calls.length = 0;
      connection.frames.next(binaryFrame(new Uint8Array([1])));
      connection.frames.next(binaryFrame(new Uint8Array([2])));
      expect(calls).to.deep.equal(['cork']);
      await nextTurn();
      expect(calls).to.deep.equal(['cork', 'uncork']);
      await recording.frame(5);
      expect(recording.frames()).to.deep.equal([
        textFrame('a'),
        textFrame('b'),
        textFrame('c'),
        binaryFrame(new Uint8Array([1])),
        binaryFrame(new Uint8Array([2])),
      ]);
    });

    it('should flush a corked burst when it reaches 64 KiB, and not before', async () => {
      const { connection, recording } = await opened();
      const { calls } = spyCorks(connection);
      const half = new Uint8Array(32 * 1024);
      connection.frames.next([textFrame('first'), binaryFrame(half), binaryFrame(half.subarray(1)), textFrame('b')]);
      // 32 KiB + 32 KiB - 1 + 1: exactly 64 KiB batched at the fourth send.
      expect(calls).to.deep.equal(['cork', 'uncork', 'cork']);
      connection.frames.next(binaryFrame(half));
      expect(calls).to.deep.equal(['cork', 'uncork', 'cork']);
      await nextTurn();
      expect(calls).to.deep.equal(['cork', 'uncork', 'cork', 'uncork']);
      await recording.frame(5);
    });

    it('should neither flush nor uncork a socket that ws no longer exposes, and lose nothing once it is back', async () => {
      const { connection, recording } = await opened();
      const ws = wsOf(connection);
      const { calls, raw } = spyCorks(connection);
      connection.frames.next([textFrame('first'), binaryFrame(new Uint8Array(1))]);
      expect(calls).to.deep.equal(['cork']);
      Object.defineProperty(ws, 'rawSocket', { value: () => undefined, configurable: true });
      connection.frames.next(binaryFrame(new Uint8Array(64 * 1024)));
      await nextTurn();
      expect(calls).to.deep.equal(['cork']);
      delete (ws as unknown as { rawSocket?: unknown }).rawSocket;
      raw.uncork();
      await recording.frame(3);
      expect(recording.frames().map((frame) => frame.type)).to.deep.equal(['text', 'binary', 'binary']);
    });
  });

  describe("ws's private internals", () => {
    for (const [what, error] of [
      ['without a code', new Error('socket hang up')],
      ['with a code that is not a protocol error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ] as const) {
      it(`should keep an error after open ${what} (as ws's sender reports them) as the cause of the close that follows`, async () => {
        const { url, connection, recording } = await opened();
        wsOf(connection).emit('error', error);
        expect(recording.end()).to.equal(undefined);
        (await server.connection(url)).socket.terminate();
        const closed = await recording.error();
        expect(closed).to.be.instanceOf(ConnectionClosedError);
        expect(closed).to.include({ closeCode: 1006, wasClean: false });
        expect((closed as { cause?: unknown }).cause).to.equal(error);
      });
    }

    it('should not use a TCP socket whose cork is not a function', () => {
      expect(corkableSocketOf({ _socket: { cork: 1, uncork: () => undefined } })).to.equal(undefined);
    });

    it('should read no write queue when the handle is null', () => {
      expect(writeQueueSizeOf({ _socket: { _handle: null } })).to.equal(undefined);
    });

    it('should read the closing-handshake flags only when the sent flag too is a boolean', () => {
      expect(closingHandshakeOf({ _closeFrameReceived: true, _closeFrameSent: 1 })).to.equal(undefined);
    });
  });
});
