import { asyncScheduler, SchedulerLike } from 'rxjs';
import { CodecError, ConnectError, HandshakeError, InvalidOptionsError, RxnovaError, UnsupportedFrameError } from '../errors';
import { checkScheduler } from '../invalid';
import { describe } from '../describe';
import { utf8Length } from '../frame';
import {
  checkHandshakeTimeout,
  CONNECTING,
  DEFAULT_HANDSHAKE_TIMEOUT,
  SocketConnection,
  SocketDialer,
  SocketDriver,
  SocketSession,
} from './socket-connection';
import { resolveRequestWith } from './socket-request';
import type { Transport, TransportCapabilities, TransportConnection, TransportRequest } from './transport';

/**
 * An event handler property whose parameter is checked bivariantly, so that
 * the DOM's `WebSocket` and `ws`'s `WebSocket` (whose handlers take richer
 * event types) both fit.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a WHATWG `MessageEvent` rxnova reads. */
export interface MessageEventLike {
  /** The message: a string, or binary data (an `ArrayBuffer` with `binaryType` `arraybuffer`). */
  readonly data: unknown;
}

/** The part of a WHATWG `CloseEvent` rxnova reads. */
export interface CloseEventLike {
  /** The close code (1006 when the connection dropped). */
  readonly code: number;
  /** The close reason, or `''`. */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
}

/**
 * The part of the WHATWG `WebSocket` interface rxnova uses, so that the
 * library needs no DOM typings: browsers, Node 22+, Deno, Bun and `ws` all
 * provide it.
 */
export interface WebSocketLike {
  /** How binary messages arrive; the transport sets `'arraybuffer'`. */
  binaryType: string;
  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  readonly readyState: number;
  /** Bytes queued by `send()` and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** The subprotocol the server chose, or `''`. */
  readonly protocol: string;
  /** The extensions the server accepted, if the implementation reports them. */
  readonly extensions?: string;
  /** Called when the opening handshake completes. */
  onopen: Handler<unknown> | null;
  /** Called with each inbound message. */
  onmessage: Handler<MessageEventLike> | null;
  /** Called when the connection fails (a `close` follows). */
  onerror: Handler<unknown> | null;
  /** Called once when the connection has closed. */
  onclose: Handler<CloseEventLike> | null;
  /** Writes a text (string) or binary message. */
  send(data: string | ArrayBufferView): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Not WHATWG: `ws` has it. Used, when present, to drop a socket whose closing handshake is no longer awaited. */
  terminate?(): void;
}

/** A WHATWG `WebSocket` constructor, such as `globalThis.WebSocket` or `require('ws').WebSocket`. */
export interface WebSocketConstructorLike {
  /** Opens a socket to `url`, offering `protocols`. */
  new (url: string, protocols?: string | string[]): WebSocketLike;
}

/** Options of {@link webSocketTransport}. */
export interface WebSocketTransportOptions {
  /**
   * The WebSocket constructor to use. Node 20 has no global one: there, use
   * `wsTransport` from `rxnova/node`, or pass one (`ws`'s works).
   * @default globalThis.WebSocket
   */
  readonly WebSocket?: WebSocketConstructorLike;
  /**
   * Milliseconds the opening handshake may take before `events` errors with
   * `ConnectTimeoutError`; 0 disables it. A request's own
   * `handshakeTimeout` overrides it. The timer runs on `scheduler`.
   * @default 10000
   */
  readonly handshakeTimeout?: number;
  /**
   * The scheduler of each connection's timers (the handshake timeout), for
   * requests that do not bring their own `scheduler` (`connect()` passes
   * its own). A virtual-time scheduler in tests.
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
}

const CAPABILITIES: TransportCapabilities = Object.freeze({ ping: false, headers: false });

const NO_CONTROL_FRAMES =
  "the WHATWG WebSocket API cannot send ping or pong frames; use application-level pings, or wsTransport() from 'rxnova/node' on Node.js";

const HIDDEN_REASON =
  'the WebSocket API does not say why (the port may be closed, the host unknown, the TLS certificate rejected, or the server may have refused the upgrade: browsers hide the HTTP status)';

// `ws`, used as the constructor, names the status in its error event; browsers never do.
/** This transport's rule for upgrade headers: none can be sent (an empty object is no header). */
function refuseHeaders(headers: unknown): undefined {
  const names = typeof headers === 'object' && headers !== null ? Object.keys(headers) : [String(headers)];
  if (names.length === 0) return undefined;
  throw new InvalidOptionsError(
    `headers (${names.join(', ')}) cannot be sent: the WHATWG WebSocket API has no way to set upgrade headers; ` +
      "pass credentials in the URL or the first message, or use wsTransport() from 'rxnova/node'",
  );
}

const UNEXPECTED_RESPONSE = /Unexpected server response: (\d{3})/;

/**
 * A {@link Transport} on any WHATWG `WebSocket`: the global one (browsers,
 * Node 22+, Deno, Bun) or a constructor passed as the `WebSocket` option.
 * Received binary data is a `Uint8Array` (`binaryType` is `'arraybuffer'`);
 * text is a string.
 *
 * The WHATWG API limits what any transport on it can do:
 * - no ping or pong frames: writing one throws `UnsupportedFrameError`
 *   (capabilities `{ ping: false, headers: false }`); the runtime still
 *   answers the server's pings by itself;
 * - no custom upgrade headers: a request with `headers` throws
 *   `InvalidOptionsError`;
 * - a failed open says nothing about why: `events` errors with
 *   `ConnectError` whether the port was closed or the server answered 401.
 *   (With `ws` as the constructor, which does report the status, a refused
 *   upgrade becomes `HandshakeError` with that status and no headers.)
 * - scripts may only close with 1000 or 3000-4999 in browsers: another code
 *   throws `UnsupportedFrameError`, and `frames.error()` closes with 1000
 *   where 1011 is refused.
 *
 * - no drain notification: the API never says when buffered data has left,
 *   so its connections have no `drained()`, and the client polls
 *   `state().bufferedAmount` instead.
 *
 * Throws `InvalidOptionsError` at once when there is no global `WebSocket`
 * and none is passed. A constructor that throws when called (the `ws` stub
 * of a browser bundle, a URL the runtime rejects) fails `events` with a
 * `ConnectError` whose `permanent` is true, which the default close policy
 * does not retry.
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
 * import { webSocketTransport } from 'rxnova';
 *
 * const transport = webSocketTransport(); // globalThis.WebSocket
 * const connection = transport.open({ url: 'wss://example.com/socket', protocols: ['chat.v1'] });
 * connection.events.subscribe((event) => {
 *   if (event.type === 'open') connection.frames.next({ type: 'text', data: 'hello' });
 *   if (event.type === 'frame') console.log(event.frame);
 * });
 * ```
 */
export function webSocketTransport(options: WebSocketTransportOptions = {}): Transport {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(`webSocketTransport() takes an options object, got ${String(options)}`);
  }
  const {
    WebSocket: WebSocketConstructor = (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket,
    handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT,
    scheduler = asyncScheduler,
  } = options;
  if (typeof WebSocketConstructor !== 'function') {
    throw new InvalidOptionsError(
      WebSocketConstructor === undefined
        ? "this runtime has no global WebSocket (Node.js before 22): import { connect, wsTransport } from 'rxnova/node', " +
            "or pass a constructor: webSocketTransport({ WebSocket }), e.g. import { WebSocket } from 'ws'"
        : `the WebSocket option must be a WebSocket constructor, got ${typeof WebSocketConstructor}`,
    );
  }
  const defaultTimeout = checkHandshakeTimeout(handshakeTimeout, 'handshakeTimeout');
  const checkedScheduler = checkScheduler('webSocketTransport: scheduler', scheduler);
  return new WebSocketTransport(WebSocketConstructor, defaultTimeout, checkedScheduler);
}

/** The transport, and the dialer of its connections (one object: nothing per connection). */
class WebSocketTransport implements Transport, SocketDialer {
  // Constants on the prototype: nothing per transport but its options.
  get name(): string {
    return 'web-socket';
  }

  get capabilities(): TransportCapabilities {
    return CAPABILITIES;
  }

  get controlFramesUnsupported(): string | undefined {
    return NO_CONTROL_FRAMES;
  }

  constructor(
    private readonly WebSocketConstructor: WebSocketConstructorLike,
    private readonly handshakeTimeout: number,
    readonly scheduler: SchedulerLike,
  ) {}

  open(request: TransportRequest): TransportConnection {
    return new SocketConnection(this, resolveRequestWith(request, this.handshakeTimeout, this.scheduler, refuseHeaders));
  }

  dial(session: SocketSession): SocketDriver {
    const { url, protocols } = session.connection;
    const WebSocketConstructor = this.WebSocketConstructor;
    const socket = protocols.length === 0 ? new WebSocketConstructor(url) : new WebSocketConstructor(url, protocols);
    socket.binaryType = 'arraybuffer';
    const driver = new WebSocketDriver(socket);

    socket.onopen = () => session.onOpen(socket.protocol, socket.extensions ?? '');
    socket.onmessage = (event) => {
      const data = event.data;
      if (typeof data === 'string') session.onText(data, utf8Length(data));
      else if (data instanceof ArrayBuffer) session.onBinary(new Uint8Array(data));
      else driver.unsupportedData(session, data);
    };
    // Stays set for the socket's whole life (`ws`, as the constructor, throws an 'error' nobody listens to).
    socket.onerror = (event) => {
      if (session.opened) session.onError(errorOf(event));
      else session.fail(openFailure(url, event));
    };
    socket.onclose = (event) => session.onClose(event.code, event.reason, event.wasClean);
    return driver;
  }
}

class WebSocketDriver implements SocketDriver {
  constructor(private readonly socket: WebSocketLike) {}

  get readyState(): number {
    return this.socket.readyState;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  sendText(data: string): number {
    this.socket.send(data);
    return utf8Length(data);
  }

  sendBinary(data: Uint8Array): void {
    this.socket.send(data);
  }

  // Stryker disable BlockStatement,StringLiteral,CallExpression: unreachable, SocketConnection refuses ping and pong frames (controlFramesUnsupported) before the driver
  sendPing(): void {
    throw new UnsupportedFrameError('ping', NO_CONTROL_FRAMES);
  }

  sendPong(): void {
    throw new UnsupportedFrameError('pong', NO_CONTROL_FRAMES);
  }
  // Stryker restore BlockStatement,StringLiteral,CallExpression

  close(code: number | undefined, reason: string | undefined): void {
    try {
      if (code === undefined) this.socket.close();
      else if (reason === undefined) this.socket.close(code);
      else this.socket.close(code, reason);
    } catch (error) {
      throw new UnsupportedFrameError(
        'close',
        `this WebSocket implementation refused close code ${String(code)} (the WHATWG API lets scripts send only 1000 and 3000-4999): ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  abort(): void {
    const socket = this.socket;
    if (socket.readyState === CONNECTING) {
      // The WHATWG API allows close() while CONNECTING: it fails the connection.
      socket.close();
    } else if (typeof socket.terminate === 'function') {
      // CLOSING: the WHATWG API can only wait for the peer; `ws` (as the constructor) can drop the socket.
      socket.terminate();
    }
  }

  /** Binary data that is not an ArrayBuffer (another realm's, or a Blob): convert what can be, refuse the rest with 1003 (1000 where the implementation refuses 1003). */
  unsupportedData(session: SocketSession, data: unknown): void {
    if (ArrayBuffer.isView(data)) {
      session.onBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } else if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
      session.onBinary(new Uint8Array(data as ArrayBuffer));
    } else {
      if (session.done) return;
      try {
        this.socket.close(1003, 'unsupported binary data type');
      } catch {
        // Browsers let scripts send only 1000 and 3000-4999.
        this.socket.close(1000, 'unsupported binary data type');
      }
      session.fail(
        new CodecError('decode', new TypeError(`binary message arrived as ${describe(data)}, expected an ArrayBuffer (binaryType 'arraybuffer')`)),
      );
    }
  }
}

function errorOf(event: unknown): unknown {
  if (typeof event === 'object' && event !== null && 'error' in event) {
    const error = (event as { error: unknown }).error;
    if (error !== undefined && error !== null) return error;
  }
  return event;
}

/** What an error event before open means: `ws` (as the constructor) names the cause, browsers hide it. */
function openFailure(url: string, event: unknown): RxnovaError {
  const message = typeof event === 'object' && event !== null && 'message' in event ? (event as { message: unknown }).message : undefined;
  const status = typeof message === 'string' ? UNEXPECTED_RESPONSE.exec(message) : null;
  if (status !== null) {
    return new HandshakeError(Number(status[1]), {}, 'the WebSocket implementation reports the status only; headers are not available');
  }
  const cause = errorOf(event);
  return new ConnectError(url, cause instanceof Error ? cause : new Error(HIDDEN_REASON));
}
