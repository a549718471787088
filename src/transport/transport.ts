import type { Observable, Observer, SchedulerLike } from 'rxjs';
import type { Frame } from '../frame';

/**
 * What to connect to: WebsockexNova's `open(host, port, path, options)` and
 * `upgrade_to_websocket(state, path, headers)` in one value.
 */
export interface TransportRequest {
  /** The WebSocket URL (`ws:` or `wss:`; `http:` and `https:` are mapped to them). */
  readonly url: string;
  /**
   * Subprotocols to offer.
   * @default []
   */
  readonly protocols?: readonly string[];
  /**
   * Extra HTTP headers for the upgrade request. Only transports whose
   * capabilities include `headers` can send them; others throw
   * `InvalidOptionsError` when given any.
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Milliseconds the opening handshake may take before `events` errors with
   * `ConnectTimeoutError`; overrides the transport's own `handshakeTimeout`.
   * 0 disables the timeout.
   * @default the transport's `handshakeTimeout`
   */
  readonly handshakeTimeout?: number;
  /**
   * The scheduler of this connection's timers, such as the handshake
   * timeout. `connect()` passes its own, so that every delay of a socket
   * runs on one scheduler (a virtual-time one in tests).
   * @default the transport's own `scheduler` option
   */
  readonly scheduler?: SchedulerLike;
}

/** The socket has opened: the handshake is complete. */
export interface TransportOpenEvent {
  readonly type: 'open';
  /** The subprotocol the server chose, or `''`. */
  readonly protocol: string;
  /** The extensions the server chose, or `''`. */
  readonly extensions: string;
}

/** A frame arrived: data (`text`, `binary`) or control (`ping`, `pong`). */
export interface TransportFrameEvent {
  readonly type: 'frame';
  readonly frame: Frame;
}

/**
 * The socket closed. Always the last event; `events` then completes if this
 * side asked for the close, and errors with `ConnectionClosedError` otherwise.
 */
export interface TransportCloseEvent {
  readonly type: 'close';
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** WebsockexNova's `process_transport_message`: each native event mapped to one of these. */
export type TransportEvent = TransportOpenEvent | TransportFrameEvent | TransportCloseEvent;

/** The ready state of a connection; `NONE` before the first subscription of `events` and after it ended. */
export type ReadyState = 'NONE' | 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';

/** WebsockexNova's `get_state`: a snapshot for tests and diagnostics. */
export interface TransportState {
  readonly readyState: ReadyState;
  /** The URL of the current (or last) socket, normalised. */
  readonly url: string;
  /** The negotiated subprotocol, or `''`. */
  readonly protocol: string;
  /** The negotiated extensions, or `''`. */
  readonly extensions: string;
  /** Bytes queued in the socket but not yet written to the network. */
  readonly bufferedAmount: number;
  /** Frames written, over every socket of this connection. */
  readonly framesSent: number;
  /** Frames received, over every socket of this connection. */
  readonly framesReceived: number;
  /** Payload bytes written (text counted as UTF-8). */
  readonly bytesSent: number;
  /** Payload bytes received (text counted as UTF-8). */
  readonly bytesReceived: number;
  /** How many sockets `events` has opened so far (one per subscription). */
  readonly connections: number;
  /**
   * Optional: the bytes of the write in progress that the operating system has not taken yet, for transports that
   * can tell (`wsTransport`: Node's `writeQueueSize`, which falls as a slow link takes bytes, even in the middle of one
   * large write). The client's heartbeat counts a change of it, while `bufferedAmount` is above 0, as the link
   * moving. `undefined` where unknown (the WHATWG transport, `TestTransport`).
   */
  readonly writing?: number | undefined;
}

/**
 * One logical connection. `events` is cold: each subscription opens a new
 * socket (so `retry` reconnects by resubscribing). `frames` always writes to
 * the socket of the newest subscription.
 */
export interface TransportConnection {
  /**
   * The socket's events. Subscribing opens the socket; unsubscribing closes
   * it (1000) and leaves nothing behind. Completes only when this side asked
   * for the close (`frames.complete()` or a sent close frame); errors with a
   * typed error on every other end: `ConnectionClosedError` (peer close of any
   * code, network loss), `HandshakeError`, `ConnectError`,
   * `ConnectTimeoutError`, `InvalidUrlError`.
   */
  readonly events: Observable<TransportEvent>;
  /**
   * WebsockexNova's `send_frame`: one frame or a list, written in order.
   * `next()` throws `NotOpenError` (naming the ready state) when the socket is
   * not open, `InvalidFrameError` for a malformed frame, and
   * `UnsupportedFrameError` for a frame the transport cannot send. Nothing is
   * dropped silently. `complete()` closes with 1000; `error()` closes with
   * 1011.
   */
  readonly frames: Observer<Frame | readonly Frame[]>;
  /** WebsockexNova's `get_state`. */
  state(): TransportState;
  /**
   * Optional: a drain notification, for transports whose socket says when
   * written data has left it (`wsTransport` and `TestTransport` have it; the
   * WHATWG transport has no such signal and leaves it out).
   *
   * Cold. On subscribe it emits the socket's current buffered amount and
   * completes as soon as that amount is at or below `threshold` bytes (at
   * once if it already is). It completes without emitting when there is no
   * open socket, and without a further value if the socket ends while it
   * waits. Unsubscribing cancels the wait. Throws `InvalidOptionsError` for
   * a `threshold` that is not a finite number 0 or more.
   *
   * The client pauses writing while `state().bufferedAmount` is above its
   * `highWaterMark` and resumes when this completes; with a transport that
   * lacks it, the client polls `state().bufferedAmount` instead.
   *
   * ```
   * bufferedAmount:   300 ---- 200 --- 40
   * drained(50):      (300)-----------|      (emits 300, completes when 40 <= 50)
   * ```
   */
  drained?(threshold: number): Observable<number>;
  /**
   * Optional: how many frames written through `frames` (text, binary, ping,
   * pong; not close) have left this side's own buffers for the operating
   * system, on the socket of the newest subscription of `events`, also after
   * it ended. Only its growth matters. The client uses it to tell which
   * messages never left the process when a connection dies (they are sent
   * again on the next connection) and to count a link that is still moving
   * bytes out as alive. `wsTransport` counts ws's send callbacks and
   * `TestTransport` counts the frames not held by `stall()`; the WHATWG
   * transport cannot know and leaves it out.
   */
  written?(): number;
}

/** What a transport can do, so the client can choose protocol or application pings. */
export interface TransportCapabilities {
  /** Can send ping and pong frames, and reports received ones. */
  readonly ping: boolean;
  /** Can send custom upgrade headers. */
  readonly headers: boolean;
}

/** A way of making WebSocket connections: the seed's `WebsockexNova.Transport` behaviour. */
export interface Transport {
  /** A short name for logs, e.g. `'ws'` or `'web-socket'`. */
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  /** Prepares a connection. Validates the request (throws `InvalidUrlError`, `InvalidOptionsError`) but makes no network use until `events` is subscribed. */
  open(request: TransportRequest): TransportConnection;
}

/**
 * Checks that a value is a {@link Transport}, with an error that says how to
 * fix it.
 * @internal
 */
export function isTransport(value: unknown): value is Transport {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Transport).open === 'function' &&
    typeof (value as Transport).capabilities === 'object'
  );
}
