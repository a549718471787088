/**
 * The socket of {@link wsTransport}: a `ws` WebSocket that is its own
 * `SocketDriver`, reporting to its `SocketSession` through listeners on ws's
 * public events, and the feature checks of the two private parts of ws it
 * uses when present.
 *
 * Not exported from any entry point.
 * @internal
 * @packageDocumentation
 */
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'http';
import WebSocket from 'ws';
import { ConnectError, errorCodeOf, HandshakeError } from '../errors';
import type { SocketDriver, SocketSession } from './socket-connection';

/** The part of a TCP socket that `batch()` uses. @internal */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * ws's TCP socket (the private `_socket`), when this version of ws has one
 * that can be corked; `undefined` otherwise (before open, after close, or a
 * ws that no longer exposes it), and sends are then plain.
 * @internal
 */
export function corkableSocketOf(ws: object): Corkable | undefined {
  const raw = (ws as { _socket?: unknown })._socket;
  return typeof raw === 'object' &&
    raw !== null &&
    typeof (raw as Corkable).cork === 'function' &&
    typeof (raw as Corkable).uncork === 'function'
    ? (raw as Corkable)
    : undefined;
}

/**
 * The bytes of the write in progress that the operating system has not taken yet: Node's `writeQueueSize` of ws's TCP
 * socket (the private `_socket`, then its private `_handle`), which Node's own socket timeout watches to tell a slow
 * write from a stalled one; `undefined` when either private part is missing or not a number.
 * @internal
 */
export function writeQueueSizeOf(ws: object): number | undefined {
  const raw = (ws as { _socket?: unknown })._socket;
  if (typeof raw !== 'object' || raw === null) return undefined;
  const handle = (raw as { _handle?: unknown })._handle;
  if (typeof handle !== 'object' || handle === null) return undefined;
  const size = (handle as { writeQueueSize?: unknown }).writeQueueSize;
  return typeof size === 'number' ? size : undefined;
}

/**
 * `wasClean` as ws's own EventTarget `CloseEvent` computes it, from its
 * private closing-handshake flags (`_closeFrameReceived`, `_closeFrameSent`),
 * or `undefined` when this version of ws does not have both as booleans.
 * @internal
 */
export function closingHandshakeOf(ws: object): boolean | undefined {
  const { _closeFrameReceived: received, _closeFrameSent: sent } = ws as { _closeFrameReceived?: unknown; _closeFrameSent?: unknown };
  return typeof received === 'boolean' && typeof sent === 'boolean' ? received && sent : undefined;
}

/**
 * A ws WebSocket that is its own {@link SocketDriver} and reports to its
 * session through ordinary listeners on ws's public events. The listeners
 * are module-level functions (EventEmitter calls them with `this` = the
 * socket): no closure per socket.
 *
 * 'nodebuffer' (ws's default binaryType) is the fastest: 'arraybuffer' would
 * copy every message that is a slice of a larger read.
 */
export class WsSocket extends WebSocket implements SocketDriver {
  /** The handshake response ws refused (an unexpected status, or a 101 it found invalid): for the `HandshakeError` its error then becomes. */
  refusedResponse: IncomingMessage | undefined = undefined;
  /** Whether this tick has sent, and whether its later sends are corked (see `batch()`). */
  private tick: typeof TICK_IDLE | typeof TICK_SENT | typeof TICK_CORKED = TICK_IDLE;
  /** Bytes written since the last flush of a corked burst. */
  private batched = 0;
  /** ws's send callback, the same function for every send of this socket: wakes `drained()` waiters. */
  private readonly sent: (error?: Error | null) => void;

  constructor(
    readonly session: SocketSession,
    url: string,
    protocols: string[] | undefined,
    options: WebSocket.ClientOptions,
  ) {
    super(url, protocols, options);
    this.sent = this.onSent.bind(this);
    // Five listeners, no more: EventEmitter keeps them in a dictionary that grows (by about 190 bytes per
    // socket) from the sixth. The handshake is watched on the upgrade request instead (see `finishRequest`).
    this.on('message', onWsMessage);
    this.on('ping', onWsPing);
    this.on('pong', onWsPong);
    this.on('error', onWsError);
    this.on('close', onWsClose);
  }

  /**
   * A frame of this socket has been written out (ws calls back in write order): counted for `written()`, unless it
   * failed with the socket (then it never left). Either way, wake `drained()` waiters.
   */
  private onSent(error?: Error | null): void {
    const session = this.session;
    if (error == null) session.written++;
    const waiters = session.drainWaiters;
    if (waiters !== undefined) waiters.check(this.bufferedAmount);
  }

  /** The TCP socket to cork, when ws exposes one (a seam: specs shadow it to test the fallback). */
  rawSocket(): Corkable | undefined {
    return corkableSocketOf(this);
  }

  /** See `TransportState.writing` (a seam: specs shadow it to test the fallback). */
  get writing(): number | undefined {
    return writeQueueSizeOf(this);
  }

  /** ws's closing-handshake flags, when present (a seam: specs shadow it to test the fallback). */
  closingHandshake(): boolean | undefined {
    return closingHandshakeOf(this);
  }

  /**
   * `wasClean` of a close with (ws's) `code`: ws's own rule when its private
   * flags are there; otherwise true unless the connection dropped without a
   * close frame (1006, which ws also reports after this side drops the
   * socket or after a protocol error).
   */
  wasClean(code: number): boolean {
    return this.closingHandshake() ?? code !== 1006;
  }

  sendText(data: string): number {
    const bytes = Buffer.byteLength(data);
    this.batch(bytes);
    this.send(data, NO_SEND_OPTIONS, this.sent);
    return bytes;
  }

  sendBinary(data: Uint8Array): void {
    this.batch(data.byteLength);
    this.send(data, NO_SEND_OPTIONS, this.sent);
  }

  /**
   * Batches a burst of frames into few `writev` calls. The first send of a
   * tick is written at once (no added latency for a lone message); from the
   * second send in the same tick the TCP socket is corked, flushed every
   * 64 KiB, and uncorked after the current task (`process.nextTick`: no
   * delay, no timer). A burst of 1,000 small sends is a handful of system
   * calls instead of 1,000. Without a corkable socket the sends are plain.
   */
  private batch(bytes: number): void {
    if (this.tick === TICK_IDLE) {
      this.tick = TICK_SENT;
      process.nextTick(endTick, this);
      return;
    }
    if (this.tick === TICK_SENT) {
      const raw = this.rawSocket();
      if (raw === undefined) return;
      this.tick = TICK_CORKED;
      this.batched = 0;
      raw.cork();
    }
    this.batched += bytes;
    if (this.batched >= BATCH_BYTES) {
      this.batched = 0;
      const raw = this.rawSocket();
      if (raw !== undefined) {
        raw.uncork();
        raw.cork();
      }
    }
  }

  /** @internal The tick ended: write what was batched. */
  endTick(): void {
    if (this.tick === TICK_CORKED) this.rawSocket()?.uncork();
    this.tick = TICK_IDLE;
  }

  sendPing(data: Uint8Array | undefined): void {
    this.ping(data, undefined, this.sent);
  }

  sendPong(data: Uint8Array | undefined): void {
    this.pong(data, undefined, this.sent);
  }

  abort(): void {
    this.terminate();
  }
}

/**
 * ws's `finishRequest` option: watches the upgrade request while the
 * handshake lasts (its listeners go with the request), then sends it. Runs
 * after ws's own listeners: on the upgrade response ws has by then either
 * opened the socket (reported here as the open event: nothing can arrive
 * before it) or refused the response; on any other response ws has either
 * followed a redirect or refused it. A refused response is kept for the
 * `HandshakeError` that ws's error event then becomes.
 * @internal
 */
export function finishRequest(request: ClientRequest, websocket: WebSocket): void {
  const ws = websocket as WsSocket;
  request.on('upgrade', (response: IncomingMessage) => {
    if (ws.readyState === WebSocket.OPEN) ws.session.onOpen(ws.protocol, ws.extensions);
    else ws.refusedResponse = response;
  });
  request.on('response', (response: IncomingMessage) => {
    if (ws.readyState !== WebSocket.CONNECTING) ws.refusedResponse = response;
  });
  request.end();
}

// ws's events, as listeners that EventEmitter calls with `this` = the socket.

function onWsMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
  const ws = this as WsSocket;
  // With binaryType 'nodebuffer' the data is always one Buffer.
  const buffer = data as Buffer;
  if (isBinary) ws.session.onBinary(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  else ws.session.onText(buffer.toString(), buffer.byteLength);
}

function onWsPing(this: WebSocket, data: Buffer): void {
  const ws = this as WsSocket;
  ws.session.onPing(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function onWsPong(this: WebSocket, data: Buffer): void {
  const ws = this as WsSocket;
  ws.session.onPong(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function onWsError(this: WebSocket, error: Error): void {
  const ws = this as WsSocket;
  // Always listened to: ws emits 'error' that nobody else would hear (e.g. after terminate()).
  const session = ws.session;
  if (session.opened) {
    const code = protocolCloseCode(error);
    session.onError(error);
    // A protocol error fails the connection at once (RFC 6455, 7.1.7): ws has written its close frame, and a peer that
    // broke the protocol may never answer it (ws would wait 30 s). The close is reported now, with the code sent and
    // this error as its cause; the teardown then drops the socket.
    if (code !== undefined) session.onClose(code, '', false);
  } else if (ws.refusedResponse !== undefined) {
    const { statusCode = 0, headers } = ws.refusedResponse;
    // A 101 that ws found invalid names why (e.g. a subprotocol nobody offered); an unexpected status speaks for itself.
    session.fail(new HandshakeError(statusCode, lowerCaseHeaders(headers), statusCode === 101 ? error.message : undefined));
  } else session.fail(new ConnectError(session.connection.url, error));
}

function onWsClose(this: WebSocket, code: number, reason: Buffer): void {
  const ws = this as WsSocket;
  // After a protocol error ws reports 1006 here, but onWsError has already reported the code ws sent (the session is
  // done, and ignores this): the close policy sees 1009 (stop), not 1006 (retry).
  ws.session.onClose(code, reason.toString(), ws.wasClean(code));
}

/** ws's `send()` options: none, one shared object (with only a callback, ws would make an empty object per message). */
const NO_SEND_OPTIONS: { readonly binary?: boolean } = Object.freeze({});

const TICK_IDLE = 0;
const TICK_SENT = 1;
const TICK_CORKED = 2;
/** A corked burst is flushed every this many bytes, so large messages still stream. */
const BATCH_BYTES = 64 * 1024;

function endTick(ws: WsSocket): void {
  ws.endTick();
}

/** The close code ws sends for one of its protocol errors (`WS_ERR_*`, or zlib's `Z_*` for a message it cannot inflate), or `undefined` for other errors. */
function protocolCloseCode(error: Error): number | undefined {
  const code = errorCodeOf(error);
  if (code === undefined) return undefined;
  // permessage-deflate could not inflate a message: ws closes with 1007, as for invalid UTF-8.
  if (code.startsWith('Z_')) return 1007;
  if (!code.startsWith('WS_ERR_')) return undefined;
  switch (code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return 1009;
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return 1008;
    case 'WS_ERR_INVALID_UTF8':
      return 1007;
    default:
      return 1002;
  }
}

function lowerCaseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    // Stryker disable next-line ConditionalExpression: equivalent, Node's parsed headers hold no undefined values (the check is for the type)
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}
