import type { IncomingHttpHeaders, IncomingMessage } from 'http';
import type { SecureContextOptions } from 'tls';
import { asyncScheduler, SchedulerLike } from 'rxjs';
import WebSocket from 'ws';
import { ConnectError, errorCodeOf, HandshakeError, InvalidOptionsError } from '../errors';
import { DrainableSocketConnection } from './drain';
import {
  checkHandshakeTimeout,
  checkScheduler,
  DEFAULT_HANDSHAKE_TIMEOUT,
  resolveRequest,
  SocketDialer,
  SocketDriver,
  SocketSession,
} from './socket-connection';
import type { Transport, TransportCapabilities, TransportConnection, TransportRequest } from './transport';

/** Sixteen mebibytes: the default limit of an inbound message. */
const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;

/** Tuning of the permessage-deflate extension (RFC 7692) offered to the server. */
export interface WsPerMessageDeflateOptions {
  /**
   * Ask the server not to keep its compression context between messages.
   * @default false
   */
  readonly serverNoContextTakeover?: boolean;
  /**
   * Do not keep this side's compression context between messages.
   * @default false
   */
  readonly clientNoContextTakeover?: boolean;
  /**
   * The server's LZ77 window size, 8 to 15 bits.
   * @default 15 (not offered)
   */
  readonly serverMaxWindowBits?: number;
  /**
   * This side's LZ77 window size, 8 to 15 bits.
   * @default 15
   */
  readonly clientMaxWindowBits?: number;
  /**
   * Messages smaller than this many bytes are sent uncompressed.
   * @default 1024
   */
  readonly threshold?: number;
  /**
   * How many zlib operations may run at once.
   * @default 10
   */
  readonly concurrencyLimit?: number;
}

/** Options of {@link wsTransport}. */
export interface WsTransportOptions {
  /**
   * Certificate authorities to trust (PEM), replacing Node's bundled list;
   * for a server with a private or self-signed certificate.
   * @default undefined (Node's bundled root certificates)
   */
  readonly ca?: SecureContextOptions['ca'];
  /**
   * A client certificate chain (PEM), for servers that ask for one.
   * @default undefined
   */
  readonly cert?: SecureContextOptions['cert'];
  /**
   * The private key of `cert` (PEM).
   * @default undefined
   */
  readonly key?: SecureContextOptions['key'];
  /**
   * The passphrase of `key`.
   * @default undefined
   */
  readonly passphrase?: string;
  /**
   * Verify the server's certificate. Leave this on outside tests: a
   * certificate error then fails with `ConnectError` whose `causeCode` is
   * Node's code (such as `DEPTH_ZERO_SELF_SIGNED_CERT`), which the default
   * close policy does not retry.
   * @default true
   */
  readonly rejectUnauthorized?: boolean;
  /**
   * The TLS server name (SNI) to send and to check the certificate against.
   * @default the URL's host name (none for an IP address)
   */
  readonly servername?: string;
  /**
   * Offer permessage-deflate compression. Off by default: it costs CPU and
   * memory per socket and only pays off for large, repetitive messages.
   * @default false
   */
  readonly perMessageDeflate?: boolean | WsPerMessageDeflateOptions;
  /**
   * The largest inbound message in bytes. A bigger one closes the socket
   * with 1009 (Message Too Big) and `events` errors with
   * `ConnectionClosedError`. (`ws` itself defaults to 100 MiB.)
   * @default 16 * 1024 * 1024 (16 MiB)
   */
  readonly maxPayload?: number;
  /**
   * Milliseconds the opening handshake (TCP, TLS and HTTP upgrade) may take
   * before `events` errors with `ConnectTimeoutError`; 0 disables it. A
   * request's own `handshakeTimeout` overrides it. The timer runs on
   * `scheduler`.
   * @default 10000
   */
  readonly handshakeTimeout?: number;
  /**
   * Follow HTTP redirects (3xx with a `Location`) during the opening
   * handshake, up to 10.
   * @default false
   */
  readonly followRedirects?: boolean;
  /**
   * The scheduler of each connection's timers (the handshake timeout), for
   * requests that do not bring their own `scheduler` (`connect()` passes
   * its own). A virtual-time scheduler in tests.
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
}

const CAPABILITIES: TransportCapabilities = Object.freeze({ ping: true, headers: true });

/**
 * A {@link Transport} on the Node.js `ws` package: sends and reports ping and
 * pong frames (answering pings by itself), sends custom upgrade headers,
 * passes TLS options through, and reports a refused handshake as
 * `HandshakeError` with the HTTP status and headers. Only in `rxnova/node`.
 *
 * Received binary data is a plain `Uint8Array` (a view on `ws`'s buffer, not
 * a copy); text is a string. Its connections have `drained()`, driven by
 * `ws`'s send callback (no polling).
 *
 * Tested with `ws` 8.16 (which added `autoPong`) to 8.x. Two private parts of
 * `ws` are used only when present, with a fallback otherwise: the TCP socket
 * (`_socket`, corked to batch a burst of sends; else plain sends) and the
 * closing-handshake flags (`_closeFrameReceived`, `_closeFrameSent`, for
 * `wasClean`; else `wasClean` is true unless ws reports 1006, no close frame).
 *
 * ```
 * events (frames.complete() at c):   ---o--f--f----c--x|
 * events (server closes with 4000):  ---o--f--f--x#
 *
 * o: { type: 'open' }  f: { type: 'frame' }  x: { type: 'close' }
 * #: ConnectionClosedError(4000)
 * ```
 *
 * A socket that never opened emits no close event: `events` just errors
 * (`ConnectError`, `HandshakeError`, `ConnectTimeoutError`). Unsubscribing
 * closes an open socket with 1000, aborts a connecting one, and drops one
 * still waiting for the peer's answer to this side's close.
 *
 * @example
 * ```ts
 * import { wsTransport } from 'rxnova/node';
 *
 * const transport = wsTransport({ ca: readFileSync('ca.pem'), maxPayload: 1024 * 1024 });
 * const connection = transport.open({ url: 'wss://example.com/socket', headers: { authorization: `Bearer ${token}` } });
 * connection.events.subscribe((event) => {
 *   if (event.type === 'open') connection.frames.next({ type: 'text', data: 'hello' });
 *   if (event.type === 'frame') console.log(event.frame);
 * });
 * ```
 */
export function wsTransport(options: WsTransportOptions = {}): Transport {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(`wsTransport() takes an options object, got ${String(options)}`);
  }
  const {
    ca,
    cert,
    key,
    passphrase,
    rejectUnauthorized = true,
    servername,
    perMessageDeflate = false,
    maxPayload = DEFAULT_MAX_PAYLOAD,
    handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT,
    followRedirects = false,
    scheduler = asyncScheduler,
  } = options;
  if (!Number.isSafeInteger(maxPayload) || maxPayload <= 0) {
    throw new InvalidOptionsError(`maxPayload must be a positive whole number of bytes, got ${String(maxPayload)}`);
  }
  const defaultTimeout = checkHandshakeTimeout(handshakeTimeout, 'handshakeTimeout');
  const checkedScheduler = checkScheduler(scheduler);
  const usesDefaults =
    ca === undefined &&
    cert === undefined &&
    key === undefined &&
    passphrase === undefined &&
    servername === undefined &&
    rejectUnauthorized === true &&
    perMessageDeflate === false &&
    maxPayload === DEFAULT_MAX_PAYLOAD &&
    followRedirects === false;
  let clientOptions = DEFAULT_CLIENT_OPTIONS;
  if (!usesDefaults) {
    // ws hands these to https.request and tls.connect unchanged (`servername` included, though its typings omit it).
    const base: WebSocket.ClientOptions & { servername?: string } = {
      rejectUnauthorized,
      perMessageDeflate: perMessageDeflate === true ? {} : perMessageDeflate === false ? false : { ...perMessageDeflate },
      maxPayload,
      followRedirects,
      autoPong: true,
    };
    if (ca !== undefined) base.ca = ca;
    if (cert !== undefined) base.cert = cert;
    if (key !== undefined) base.key = key;
    if (passphrase !== undefined) base.passphrase = passphrase;
    if (servername !== undefined) base.servername = servername;
    clientOptions = base;
  }
  return new WsTransport(clientOptions, defaultTimeout, checkedScheduler);
}

/** The ws client options of a `wsTransport()` with no TLS, compression, payload or redirect options: shared by all. */
const DEFAULT_CLIENT_OPTIONS: WebSocket.ClientOptions = Object.freeze({
  rejectUnauthorized: true,
  perMessageDeflate: false,
  maxPayload: DEFAULT_MAX_PAYLOAD,
  followRedirects: false,
  autoPong: true,
});

/** The transport, and the dialer of its connections (one object: nothing per connection). */
class WsTransport implements Transport, SocketDialer {
  // Constants on the prototype: nothing per transport but its options.
  get name(): string {
    return 'ws';
  }

  get capabilities(): TransportCapabilities {
    return CAPABILITIES;
  }

  get controlFramesUnsupported(): string | undefined {
    return undefined;
  }

  constructor(
    private readonly clientOptions: WebSocket.ClientOptions,
    private readonly handshakeTimeout: number,
    readonly scheduler: SchedulerLike,
  ) {}

  open(request: TransportRequest): TransportConnection {
    return new DrainableSocketConnection(this, resolveRequest(request, this.handshakeTimeout, this.scheduler));
  }

  dial(session: SocketSession): SocketDriver {
    const { url, protocols, headers } = session.connection;
    const options = headers === undefined ? this.clientOptions : { ...this.clientOptions, headers };
    return new WsSocket(session, url, protocols.length === 0 ? undefined : protocols, options);
  }
}

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
class WsSocket extends WebSocket implements SocketDriver {
  /** The upgrade response's headers, from 'upgrade' until 'open': for a `HandshakeError(101)` if ws then refuses the handshake. */
  upgradeHeaders: IncomingHttpHeaders | undefined = undefined;
  /** The code ws closed with after the peer broke the protocol (e.g. 1009 for a message over maxPayload). */
  failedWith: number | undefined = undefined;
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
    this.on('open', onWsOpen);
    this.on('message', onWsMessage);
    this.on('ping', onWsPing);
    this.on('pong', onWsPong);
    this.on('upgrade', onWsUpgrade);
    this.on('unexpected-response', onWsUnexpectedResponse);
    this.on('error', onWsError);
    this.on('close', onWsClose);
  }

  /** Data of this socket has been written out (or failed with the socket): wake `drained()` waiters. */
  private onSent(): void {
    const waiters = this.session.drainWaiters;
    if (waiters !== undefined) waiters.check(this.bufferedAmount);
  }

  /** The TCP socket to cork, when ws exposes one (a seam: specs shadow it to test the fallback). */
  rawSocket(): Corkable | undefined {
    return corkableSocketOf(this);
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
    this.send(data, this.sent);
    return bytes;
  }

  sendBinary(data: Uint8Array): void {
    this.batch(data.byteLength);
    this.send(data, this.sent);
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

// ws's events, as listeners that EventEmitter calls with `this` = the socket.

function onWsOpen(this: WebSocket): void {
  const ws = this as WsSocket;
  ws.upgradeHeaders = undefined;
  ws.session.onOpen(ws.protocol, ws.extensions);
}

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

function onWsUpgrade(this: WebSocket, response: IncomingMessage): void {
  const ws = this as WsSocket;
  ws.upgradeHeaders = response.headers;
}

function onWsUnexpectedResponse(this: WebSocket, _request: unknown, response: IncomingMessage): void {
  const ws = this as WsSocket;
  // With a listener, ws leaves the request open: failing the session tears down, which aborts it.
  ws.session.fail(new HandshakeError(response.statusCode ?? 0, lowerCaseHeaders(response.headers)));
}

function onWsError(this: WebSocket, error: Error): void {
  const ws = this as WsSocket;
  // Always listened to: ws emits 'error' that nobody else would hear (e.g. after terminate()).
  const session = ws.session;
  if (session.opened) {
    ws.failedWith ??= protocolCloseCode(error);
    session.onError(error);
  } else if (ws.upgradeHeaders !== undefined) {
    session.fail(new HandshakeError(101, lowerCaseHeaders(ws.upgradeHeaders), error.message));
  } else session.fail(new ConnectError(session.connection.url, error));
}

function onWsClose(this: WebSocket, code: number, reason: Buffer): void {
  const ws = this as WsSocket;
  // After a protocol error ws sends its close frame and drops the socket without waiting for the answer,
  // and reports 1006: report the code it sent instead, so the close policy sees 1009 (stop), not 1006 (retry).
  const reported = code === 1006 && ws.failedWith !== undefined ? ws.failedWith : code;
  ws.session.onClose(reported, reason.toString(), ws.wasClean(code));
}

const TICK_IDLE = 0;
const TICK_SENT = 1;
const TICK_CORKED = 2;
/** A corked burst is flushed every this many bytes, so large messages still stream. */
const BATCH_BYTES = 64 * 1024;

function endTick(ws: WsSocket): void {
  ws.endTick();
}

/** The close code ws sends for one of its protocol errors (`WS_ERR_*`), or `undefined` for other errors. */
function protocolCloseCode(error: Error): number | undefined {
  const code = errorCodeOf(error);
  if (code === undefined || !code.startsWith('WS_ERR_')) return undefined;
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
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}
