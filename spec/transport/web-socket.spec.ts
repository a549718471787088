/**
 * What is particular to webSocketTransport(): the WHATWG API's limits (no
 * ping or pong, no headers, hidden failure reasons, restricted close codes)
 * and how the constructor is found.
 */
import { expect } from 'chai';
import WebSocket from 'ws';
import {
  CodecError,
  ConnectError,
  ConnectionClosedError,
  InvalidOptionsError,
  UnsupportedFrameError,
} from '../../src/errors';
import { defaultClosePolicy } from '../../src/close-codes';
import { binaryFrame, closeFrame, pingFrame, pongFrame, textFrame } from '../../src/frame';
import { webSocketTransport, WebSocketConstructorLike } from '../../src/transport/web-socket';
import { browserLikeWebSocket } from '../support/browser-like-web-socket';
import { closedPort, eventually, startResponseServer, startWsEchoServer, WsEchoServer } from '../support/peers';
import { recorder } from '../support/record';

/** Runs `body` with `globalThis.WebSocket` set to `value` (or removed), then restores it. */
function withGlobalWebSocket<T>(value: WebSocketConstructorLike | undefined, body: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
  const target = globalThis as { WebSocket?: WebSocketConstructorLike };
  if (value === undefined) delete target.WebSocket;
  else Object.defineProperty(globalThis, 'WebSocket', { value, configurable: true, writable: true });
  try {
    return body();
  } finally {
    if (descriptor === undefined) delete target.WebSocket;
    else Object.defineProperty(globalThis, 'WebSocket', descriptor);
  }
}

describe('webSocketTransport()', () => {
  let server: WsEchoServer;
  const recordings = recorder();
  const { watch } = recordings;

  before(async () => {
    server = await startWsEchoServer({ tls: false });
  });
  afterEach(() => recordings.dispose());
  after(async () => {
    await server?.stop();
  });

  describe('the WebSocket constructor', () => {
    it('should throw InvalidOptionsError saying how to fix it when there is no global WebSocket and none is passed', () => {
      withGlobalWebSocket(undefined, () => {
        expect(() => webSocketTransport())
          .to.throw(InvalidOptionsError, "import { connect, wsTransport } from 'rxnova/node'")
          .with.property('message')
          .that.contains('webSocketTransport({ WebSocket })');
      });
    });

    it('should use the global WebSocket, found when the transport is made', async () => {
      const transport = withGlobalWebSocket(WebSocket.WebSocket, () => webSocketTransport());
      const connection = transport.open({ url: server.url() });
      const recording = watch(connection.events);
      await recording.opened();
      connection.frames.next(textFrame('via the global'));
      expect(await recording.frame()).to.deep.equal(textFrame('via the global'));
    });

    it('should throw InvalidOptionsError when the WebSocket option is not a constructor', () => {
      expect(() => webSocketTransport({ WebSocket: 'ws' as never })).to.throw(InvalidOptionsError, 'must be a WebSocket constructor');
      expect(() => webSocketTransport({ WebSocket: WebSocket.WebSocket, handshakeTimeout: -5 })).to.throw(InvalidOptionsError, 'handshakeTimeout');
    });
  });

  describe('with ws as the constructor', () => {
    const transport = () => webSocketTransport({ WebSocket: WebSocket.WebSocket });

    it("should be named 'web-socket' and say it can send neither pings nor headers", () => {
      expect(transport().name).to.equal('web-socket');
      expect(transport().capabilities).to.deep.equal({ ping: false, headers: false });
    });

    it('should throw InvalidOptionsError for custom headers at open(), saying the WHATWG API cannot send them and what to do', () => {
      expect(() => transport().open({ url: server.url(), headers: { authorization: 'Bearer x' } }))
        .to.throw(InvalidOptionsError, 'the WHATWG WebSocket API has no way to set upgrade headers')
        .with.property('message')
        .that.contains("use wsTransport() from 'rxnova/node'");
    });

    it('should offer no drained(): the WHATWG API never says when buffered data has left', () => {
      expect(transport().open({ url: server.url() }).drained).to.equal(undefined);
    });

    it('should throw UnsupportedFrameError for ping and pong frames, open or not, and send nothing of a list that holds one', async () => {
      const url = server.url();
      const connection = transport().open({ url });
      expect(() => connection.frames.next(pingFrame())).to.throw(UnsupportedFrameError, 'cannot send ping or pong frames');
      const recording = watch(connection.events);
      await recording.opened();
      expect(() => connection.frames.next([textFrame('not sent'), pongFrame()])).to.throw(UnsupportedFrameError, 'unsupported frame "pong"');
      connection.frames.next(textFrame('sent'));
      await recording.frame();
      expect((await server.connection(url)).messages).to.deep.equal(['sent']);
      expect(connection.state().framesSent).to.equal(1);
    });

    it("should leave the server's pings to the runtime, which answers them, and report none", async () => {
      const url = server.url();
      const connection = transport().open({ url });
      const recording = watch(connection.events);
      await recording.opened();
      connection.frames.next(textFrame('ping:beat'));
      const seen = await server.connection(url);
      await eventually('the pong to reach the server', () => seen.pongs.length > 0);
      expect(seen.pongs.map(String)).to.deep.equal(['beat']);
      connection.frames.next(textFrame('after'));
      expect(await recording.frame()).to.deep.equal(textFrame('after'));
      expect(recording.frames()).to.deep.equal([textFrame('after')]);
      expect(connection.state().framesReceived).to.equal(1);
    });

    it('should count text bytes as UTF-8', async () => {
      const connection = transport().open({ url: server.url() });
      const recording = watch(connection.events);
      await recording.opened();
      connection.frames.next(textFrame('€𝄞'));
      await recording.frame();
      expect(connection.state()).to.include({ bytesSent: 7, bytesReceived: 7 });
    });

    it('should refuse a self-signed certificate with ConnectError carrying its code', async () => {
      const tlsServer = await startWsEchoServer({ tls: true });
      try {
        const error = await watch(transport().open({ url: tlsServer.url() }).events).error();
        expect(error).to.be.instanceOf(ConnectError);
        expect(error).to.include({ causeCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      } finally {
        await tlsServer.stop();
      }
    });
  });

  describe('with a browser-like WebSocket', () => {
    const transport = (binaryAsBlob = false) => webSocketTransport({ WebSocket: browserLikeWebSocket({ binaryAsBlob }) });

    it('should echo text and binary', async () => {
      const connection = transport().open({ url: server.url() });
      const recording = watch(connection.events);
      await recording.opened();
      connection.frames.next([textFrame('a'), binaryFrame(new Uint8Array([1, 2, 3]))]);
      await recording.frame(2);
      expect(recording.frames()).to.deep.equal([textFrame('a'), binaryFrame(new Uint8Array([1, 2, 3]))]);
    });

    it('should error with ConnectError saying the reason is hidden when the port is closed', async () => {
      const port = await closedPort();
      const error = await watch(transport().open({ url: `ws://127.0.0.1:${port}/` }).events).error();
      expect(error).to.be.instanceOf(ConnectError);
      expect(error).to.include({ causeCode: undefined });
      expect((error as Error).message).to.contain('the WebSocket API does not say why');
    });

    it('should error with ConnectError, not HandshakeError, when the server answers 401 (browsers hide the status)', async () => {
      const refusing = await startResponseServer(401, 'Unauthorized', {});
      try {
        const error = await watch(transport().open({ url: refusing.url }).events).error();
        expect(error).to.be.instanceOf(ConnectError);
        expect((error as Error).message).to.contain('browsers hide the HTTP status');
      } finally {
        await refusing.stop();
      }
    });

    it('should throw UnsupportedFrameError for a close code the implementation refuses, and stay open', async () => {
      const connection = transport().open({ url: server.url() });
      const recording = watch(connection.events);
      await recording.opened();
      expect(() => connection.frames.next(closeFrame(1001))).to.throw(UnsupportedFrameError, 'refused close code 1001');
      connection.frames.next(textFrame('still open'));
      expect(await recording.frame()).to.deep.equal(textFrame('still open'));
      expect(connection.state().readyState).to.equal('OPEN');
    });

    it('should close with 1000 on frames.error(e) where 1011 is refused, then error with e', async () => {
      const url = server.url();
      const connection = transport().open({ url });
      const recording = watch(connection.events);
      await recording.opened();
      const failure = new Error('upstream failed');
      connection.frames.error(failure);
      expect(await recording.error()).to.equal(failure);
      expect(await server.closeSeen(url)).to.deep.equal({ code: 1000, reason: '' });
    });

    it('should close (1003, or 1000 where that is refused) and error with CodecError when binary data is not an ArrayBuffer', async () => {
      const url = server.url();
      const connection = transport(true).open({ url });
      const recording = watch(connection.events);
      await recording.opened();
      connection.frames.next(binaryFrame(new Uint8Array([1])));
      const error = await recording.error();
      expect(error).to.be.instanceOf(CodecError);
      expect((error as Error).message).to.contain('expected an ArrayBuffer');
      // 1003 where the implementation allows it; a browser-like one refuses it, so 1000.
      expect(await server.closeSeen(url)).to.deep.equal({ code: 1000, reason: 'unsupported binary data type' });
    });

    it('should error with ConnectionClosedError when the server closes, as with ws', async () => {
      const connection = transport().open({ url: server.url() });
      const recording = watch(connection.events);
      await recording.opened();
      connection.frames.next(textFrame('close:4002:later'));
      const error = await recording.error();
      expect(error).to.be.instanceOf(ConnectionClosedError);
      expect(error).to.include({ closeCode: 4002, reason: 'later', wasClean: true });
    });
  });

  describe('when the WebSocket constructor throws', () => {
    const throwing = (error: Error): WebSocketConstructorLike =>
      class {
        constructor() {
          throw error;
        }
      } as unknown as WebSocketConstructorLike;

    for (const [what, error] of [
      ["the ws stub of a browser bundle", new Error('ws does not work in the browser. Browser clients must use the native WebSocket object')],
      ['a URL the runtime rejects', new SyntaxError("Failed to construct 'WebSocket': The URL contains a fragment identifier")],
    ] as const) {
      it(`should error events with a permanent ConnectError that the default close policy stops on, for ${what}`, async () => {
        const url = server.url();
        const recording = watch(webSocketTransport({ WebSocket: throwing(error) }).open({ url }).events);
        const failure = await recording.error();
        expect(failure).to.be.instanceOf(ConnectError);
        expect(failure).to.include({ permanent: true, cause: error });
        expect((failure as Error).message).to.contain(error.message).and.contain('reconnecting cannot help');
        expect(defaultClosePolicy(failure)).to.equal('stop');
        expect(recording.log).to.deep.equal([]);
      });
    }

    it('should keep an ordinary connect failure retryable (not permanent)', async () => {
      const port = await closedPort();
      const recording = watch(webSocketTransport({ WebSocket: WebSocket.WebSocket }).open({ url: `ws://127.0.0.1:${port}/` }).events);
      const failure = await recording.error();
      expect(failure).to.be.instanceOf(ConnectError);
      expect(failure).to.include({ permanent: false });
      expect(defaultClosePolicy(failure)).to.equal('retry');
    });
  });
});
