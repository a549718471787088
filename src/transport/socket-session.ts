/**
 * One socket's life, shared by every socket transport: the events it emits,
 * the handshake timeout, and the rules for how `events` ends (complete on a
 * close this side asked for, a typed error on every other end). Drivers
 * ({@link SocketDriver}) report to it.
 *
 * Not exported from any entry point.
 * (Internal: not exported from any entry point; declared for the testing entry.)
 * @packageDocumentation
 */
import { SchedulerAction, Subscriber, Subscription, Unsubscribable } from 'rxjs';
import { ConnectError, ConnectionClosedError, ConnectTimeoutError } from '../errors';
import type { Frame } from '../frame';
import type { DrainWaiters } from './drain';
import type { SocketConnection } from './socket-connection';
import type { TransportEvent } from './transport';

/** The numeric ready states of the WHATWG API (and of `ws`). */
export const CONNECTING = 0;
/** */
export const OPEN = 1;
/** */
export const CLOSING = 2;

/**
 * One native socket, as the shared code drives it. Implementations do the
 * least possible work: the shared code has already validated the frame and
 * checked that the socket is open.
 * (Internal: not exported from any entry point; declared for the testing entry.)
 */
export interface SocketDriver {
  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  readonly readyState: number;
  readonly bufferedAmount: number;
  /** See `TransportState.writing`; absent where unknown. */
  readonly writing?: number | undefined;
  /** Writes a text frame and returns its UTF-8 length. */
  sendText(data: string): number;
  sendBinary(data: Uint8Array): void;
  sendPing(data: Uint8Array | undefined): void;
  sendPong(data: Uint8Array | undefined): void;
  /** Starts the closing handshake; throws `UnsupportedFrameError` if the implementation refuses the code. */
  close(code: number | undefined, reason: string | undefined): void;
  /**
   * Drops the socket now: a CONNECTING one without a handshake, a CLOSING one
   * without waiting any longer for the peer's close frame (where the
   * implementation can: the WHATWG API cannot hurry a closing socket).
   */
  abort(): void;
}

// SocketSession flags.
/** The open event has been emitted. */
const OPENED = 1;
/** This side asked for the close: `events` completes (or errors with `frames.error`'s value). */
const CLOSE_REQUESTED = 2;
/** The subscription has ended; nothing more is emitted. */
const DONE = 4;
/** `frames.error(e)` asked for the close: `error` holds `e`, the error `events` ends with. */
const HAS_FAILURE = 8;
/** A runtime error was seen after open: `error` holds it, the `cause` of the close error. */
const HAS_CAUSE = 16;

/** The handshake timeout's scheduled work (module level: no closure per connection). */
function handshakeTimedOut(this: SchedulerAction<SocketSession>, session: SocketSession | undefined): void {
  if (session === undefined) return;
  const { handshakeTimeout, url } = session.connection;
  session.fail(new ConnectTimeoutError(handshakeTimeout, url));
}

/**
 * One socket: the life of one subscription of `events`. Drivers report to
 * the `on*` methods and to {@link SocketSession.fail}; every one of them is a
 * no-op once the subscription has ended, so a driver never needs to detach.
 * Doubles as the subscription's teardown.
 * (Internal: not exported from any entry point; declared for the testing entry.)
 */
export class SocketSession implements Unsubscribable {
  driver: SocketDriver | undefined = undefined;
  /** OPENED, CLOSE_REQUESTED, DONE, HAS_FAILURE, HAS_CAUSE: one field rather than five. */
  private flags = 0;
  /** `frames.error`'s value (HAS_FAILURE), else a runtime error seen after open (HAS_CAUSE). */
  private error: unknown = undefined;
  /** The handshake timeout, while connecting. */
  private timer: Subscription | undefined = undefined;
  /** The subscribers of `connection.drained()` waiting on this socket, if any (see `drain.ts`). */
  drainWaiters: DrainWaiters | undefined = undefined;
  /** Frames of this socket that have left for the operating system, for drivers that can tell (see `TransportConnection.written`). */
  written = 0;

  constructor(
    readonly connection: SocketConnection,
    private readonly subscriber: Subscriber<TransportEvent>,
  ) {}

  /** The open event has been emitted. */
  get opened(): boolean {
    return (this.flags & OPENED) !== 0;
  }

  /** The subscription has ended; nothing more is emitted. */
  get done(): boolean {
    return (this.flags & DONE) !== 0;
  }

  /** This side asked for the close (`frames.complete()`, `frames.error()` or a sent close frame). */
  get closeRequested(): boolean {
    return (this.flags & CLOSE_REQUESTED) !== 0;
  }

  /** A close frame was written: `events` completes when the socket has closed. */
  closeSent(): void {
    this.flags |= CLOSE_REQUESTED;
  }

  start(): void {
    const connection = this.connection;
    const dialer = connection.dialer;
    connection.current = this;
    connection.latest = this;
    connection.connections++;
    connection.protocol = '';
    connection.extensions = '';
    try {
      this.driver = dialer.dial(this);
    } catch (error) {
      // The WebSocket constructor threw (no implementation, the `ws` browser stub, a URL the runtime
      // rejects): every attempt would throw the same, so the error says it is permanent.
      this.fail(new ConnectError(connection.url, error, true));
      return;
    }
    if ((this.flags & DONE) !== 0) return;
    // Scheduled after the dial (same instant on the scheduler; a driver never reports synchronously), so that
    // creating the timer does not delay the upgrade request of a reconnect.
    const handshakeTimeout = connection.handshakeTimeout;
    if (handshakeTimeout > 0) this.timer = connection.scheduler.schedule(handshakeTimedOut, handshakeTimeout, this);
  }

  onOpen(protocol: string, extensions: string): void {
    if ((this.flags & DONE) !== 0) return;
    this.flags |= OPENED;
    this.stopTimer();
    const connection = this.connection;
    connection.protocol = protocol;
    connection.extensions = extensions;
    this.subscriber.next({ type: 'open', protocol, extensions });
  }

  onText(data: string, bytes: number): void {
    this.received({ type: 'text', data }, bytes);
  }

  onBinary(data: Uint8Array): void {
    this.received({ type: 'binary', data }, data.byteLength);
  }

  /** A ping arrived (the implementation answers it by itself). An empty payload gives `{ type: 'ping' }`. */
  onPing(data: Uint8Array): void {
    this.received(data.byteLength === 0 ? { type: 'ping' } : { type: 'ping', data }, data.byteLength);
  }

  /** A pong arrived. An empty payload gives `{ type: 'pong' }`. */
  onPong(data: Uint8Array): void {
    this.received(data.byteLength === 0 ? { type: 'pong' } : { type: 'pong', data }, data.byteLength);
  }

  /** A frame arrived: counted and emitted, unless the session is done. */
  private received(frame: Frame, bytes: number): void {
    if ((this.flags & DONE) !== 0) return;
    const connection = this.connection;
    connection.framesReceived++;
    connection.bytesReceived += bytes;
    this.subscriber.next({ type: 'frame', frame });
  }

  /** A runtime error after open: the close that follows will carry the first one as `cause`. */
  onError(cause: unknown): void {
    if ((this.flags & (HAS_CAUSE | HAS_FAILURE)) !== 0) return;
    this.flags |= HAS_CAUSE;
    this.error = cause;
  }

  /** The socket closed. Emits the close event (if it had opened), then completes or errors. */
  onClose(code: number, reason: string, wasClean: boolean): void {
    const flags = this.flags;
    if ((flags & DONE) !== 0) return;
    const cause = (flags & HAS_CAUSE) !== 0 ? this.error : undefined;
    if ((flags & OPENED) === 0) {
      this.fail(new ConnectError(this.connection.url, cause ?? new Error(`the socket closed with code ${code} before it opened`)));
      return;
    }
    this.subscriber.next({ type: 'close', code, reason, wasClean });
    // The close event's consumer may have ended the subscription, or asked for the close.
    const now = this.flags;
    if ((now & DONE) !== 0) return;
    if ((now & CLOSE_REQUESTED) !== 0) this.end((now & HAS_FAILURE) !== 0, (now & HAS_FAILURE) !== 0 ? this.error : undefined);
    else this.end(true, new ConnectionClosedError(code, reason, wasClean, cause));
  }

  /** Ends the subscription with `error` now; the teardown then drops or closes the socket. */
  fail(error: unknown): void {
    if ((this.flags & DONE) !== 0) return;
    this.end(true, error);
  }

  /** `frames.complete()` (1000) and `frames.error(e)` (1011). */
  requestClose(code: number, hasFailure: boolean, failure: unknown): void {
    if ((this.flags & DONE) !== 0) return;
    this.flags |= CLOSE_REQUESTED;
    if (hasFailure) {
      this.flags = (this.flags & ~HAS_CAUSE) | HAS_FAILURE;
      this.error = failure;
    }
    const driver = this.driver;
    const readyState = driver === undefined ? CONNECTING : driver.readyState;
    if (readyState === CONNECTING) {
      // Nothing to hand-shake yet: end now; the teardown aborts the socket.
      this.end(hasFailure, failure);
    } else if (readyState === OPEN && driver !== undefined) {
      try {
        driver.close(code, undefined);
      } catch {
        // An implementation that refuses 1011 (the WHATWG API allows only 1000 and 3000-4999 from scripts).
        driver.close(1000, undefined);
      }
    }
    // CLOSING or CLOSED: the close event will end the subscription.
  }

  /**
   * The teardown: runs on unsubscribe and after complete or error. Closes
   * with 1000 when open (the implementation finishes the closing handshake);
   * aborts when connecting; and when closing (this side asked for the close
   * and has stopped waiting for the peer's answer, e.g. after a close timeout
   * or a heartbeat timeout), drops the socket.
   */
  unsubscribe(): void {
    this.release();
    const driver = this.driver;
    if (driver === undefined) return;
    const readyState = driver.readyState;
    if (readyState === OPEN) driver.close(1000, undefined);
    else if (readyState === CONNECTING || readyState === CLOSING) driver.abort();
  }

  /** Completes `events` (`hasError` false) or errors it with `error`, after releasing the socket. */
  protected end(hasError: boolean, error: unknown): void {
    this.release();
    if (hasError) this.subscriber.error(error);
    else this.subscriber.complete();
  }

  private release(): void {
    if ((this.flags & DONE) !== 0) return;
    this.flags |= DONE;
    this.stopTimer();
    if (this.connection.current === this) this.connection.current = undefined;
    const waiters = this.drainWaiters;
    if (waiters !== undefined) {
      this.drainWaiters = undefined;
      waiters.end();
    }
  }

  private stopTimer(): void {
    const timer = this.timer;
    if (timer !== undefined) {
      this.timer = undefined;
      timer.unsubscribe();
    }
  }
}
