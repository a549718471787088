import type { IncomingHttpHeaders, IncomingMessage } from 'http';
import type { SecureContextOptions } from 'tls';
import type { Socket } from 'net';
import { asyncScheduler, SchedulerLike } from 'rxjs';
import WebSocket from 'ws';
import { ConnectError, errorCodeOf, HandshakeError, InvalidOptionsError } from '../errors';
import {
  checkHandshakeTimeout,
  checkScheduler,
  DEFAULT_HANDSHAKE_TIMEOUT,
  resolveRequest,
  SocketConnection,
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
   * The scheduler of the handshake timeout (a virtual-time scheduler in tests).
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
 * a copy); text is a string.
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
    return new SocketConnection(this, resolveRequest(request, this.handshakeTimeout));
  }

  dial(session: SocketSession): SocketDriver {
    const { url, protocols, headers } = session.connection;
    const options = headers === undefined ? this.clientOptions : { ...this.clientOptions, headers };
    return new WsSocket(session, url, protocols.length === 0 ? undefined : protocols, options);
  }
}

/** The part of ws's WebSocket that its own EventTarget `CloseEvent` reads for `wasClean` (not in its typings). */
interface WsClosingHandshake {
  readonly _closeFrameReceived: boolean;
  readonly _closeFrameSent: boolean;
}

/**
 * A ws WebSocket that is its own {@link SocketDriver} and reports straight to
 * its session: `emit` is overridden, so ws's events reach the session
 * without a listener, closure or `_events` entry per socket, and without
 * EventEmitter's dispatch on each message. Nothing else can listen: the
 * socket never leaves this module.
 *
 * 'nodebuffer' (ws's default binaryType) is the fastest: 'arraybuffer' would
 * copy every message that is a slice of a larger read.
 */
class WsSocket extends WebSocket implements SocketDriver {
  /** The upgrade response's headers, from 'upgrade' until 'open': for a `HandshakeError(101)` if ws then refuses the handshake. */
  private upgradeHeaders: IncomingHttpHeaders | undefined = undefined;
  /** The code ws closed with after the peer broke the protocol (e.g. 1009 for a message over maxPayload). */
  private failedWith: number | undefined = undefined;
  /** Whether this tick has sent, and whether its later sends are corked (see `batch()`). */
  private tick: typeof TICK_IDLE | typeof TICK_SENT | typeof TICK_CORKED = TICK_IDLE;
  /** Bytes written since the last flush of a corked burst. */
  private batched = 0;

  constructor(
    private readonly session: SocketSession,
    url: string,
    protocols: string[] | undefined,
    options: WebSocket.ClientOptions,
  ) {
    super(url, protocols, options);
  }

  /** ws's events, dispatched by name; ws passes at most two arguments. Returns whether the event was handled. */
  override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
    const session = this.session;
    switch (event) {
      case 'message': {
        // With binaryType 'nodebuffer' the data is always one Buffer.
        const buffer = a as Buffer;
        if (b === true) session.onBinary(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
        else session.onText(buffer.toString(), buffer.byteLength);
        return true;
      }
      case 'ping': {
        const data = a as Buffer;
        session.onPing(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        return true;
      }
      case 'pong': {
        const data = a as Buffer;
        session.onPong(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        return true;
      }
      case 'open':
        this.upgradeHeaders = undefined;
        session.onOpen(this.protocol, this.extensions);
        return true;
      case 'upgrade':
        this.upgradeHeaders = (a as IncomingMessage).headers;
        return true;
      case 'unexpected-response': {
        // Handled here (true), ws leaves the request open: failing the session tears down, which aborts it.
        const response = b as IncomingMessage;
        session.fail(new HandshakeError(response.statusCode ?? 0, lowerCaseHeaders(response.headers)));
        return true;
      }
      case 'error': {
        // Always handled: ws emits 'error' that nobody else would hear (e.g. after terminate()).
        const error = a as Error;
        if (session.opened) {
          this.failedWith ??= protocolCloseCode(error);
          session.onError(error);
        } else if (this.upgradeHeaders !== undefined) {
          session.fail(new HandshakeError(101, lowerCaseHeaders(this.upgradeHeaders), error.message));
        } else session.fail(new ConnectError(session.connection.url, error));
        return true;
      }
      case 'close': {
        // `wasClean` as ws's own CloseEvent computes it. After a protocol error ws sends its close frame and
        // drops the socket without waiting for the answer, and reports 1006: report the code it sent instead,
        // so the close policy sees 1009 (stop), not 1006 (retry).
        const code = a as number;
        const handshake = this as unknown as WsClosingHandshake;
        session.onClose(
          code === 1006 && this.failedWith !== undefined ? this.failedWith : code,
          (b as Buffer).toString(),
          handshake._closeFrameReceived && handshake._closeFrameSent,
        );
        return true;
      }
      default:
        // 'redirect' and anything newer: nobody listens.
        return false;
    }
  }

  sendText(data: string): number {
    const bytes = Buffer.byteLength(data);
    this.batch(bytes);
    this.send(data);
    return bytes;
  }

  sendBinary(data: Uint8Array): void {
    this.batch(data.byteLength);
    this.send(data);
  }

  /**
   * Batches a burst of frames into few `writev` calls. The first send of a
   * tick is written at once (no added latency for a lone message); from the
   * second send in the same tick the TCP socket is corked, flushed every
   * 64 KiB, and uncorked after the current task (`process.nextTick`: no
   * delay, no timer). A burst of 1,000 small sends is a handful of system
   * calls instead of 1,000.
   */
  private batch(bytes: number): void {
    if (this.tick === TICK_IDLE) {
      this.tick = TICK_SENT;
      process.nextTick(endTick, this);
      return;
    }
    const raw = (this as unknown as { _socket: Socket | null })._socket;
    if (raw === null) return;
    if (this.tick === TICK_SENT) {
      this.tick = TICK_CORKED;
      this.batched = 0;
      raw.cork();
    }
    this.batched += bytes;
    if (this.batched >= BATCH_BYTES) {
      this.batched = 0;
      raw.uncork();
      raw.cork();
    }
  }

  /** @internal The tick ended: write what was batched. */
  endTick(): void {
    if (this.tick === TICK_CORKED) (this as unknown as { _socket: Socket | null })._socket?.uncork();
    this.tick = TICK_IDLE;
  }

  sendPing(data: Uint8Array | undefined): void {
    this.ping(data);
  }

  sendPong(data: Uint8Array | undefined): void {
    this.pong(data);
  }

  abort(): void {
    this.terminate();
  }
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
