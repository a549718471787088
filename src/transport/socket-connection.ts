/**
 * The part of a socket transport that does not depend on the WebSocket
 * implementation: the cold `events` Observable, the `frames` Observer, the
 * counters behind `state()`, the handshake timeout on the scheduler, and the
 * rules for how a connection ends. `ws.ts` and `web-socket.ts` each supply a
 * {@link SocketDriver} (one per socket) that maps their native API onto
 * {@link SocketSession}'s methods.
 *
 * Not exported from any entry point.
 * @internal
 * @packageDocumentation
 */
import { Observable, Observer, SchedulerAction, SchedulerLike, Subscriber, Subscription, TeardownLogic, Unsubscribable } from 'rxjs';
import {
  ConnectError,
  ConnectionClosedError,
  ConnectTimeoutError,
  InvalidOptionsError,
  NotOpenError,
  UnsupportedFrameError,
} from '../errors';
import { Frame, frameSize, validateFrame } from '../frame';
import type {
  ReadyState,
  TransportConnection,
  TransportEvent,
  TransportRequest,
  TransportState,
} from './transport';
import { checkDuration } from '../time';
import type { DrainWaiters } from './drain';
import { normalizeUrl } from './url';

/** The numeric ready states of the WHATWG API (and of `ws`). @internal */
export const CONNECTING = 0;
/** @internal */
export const OPEN = 1;
/** @internal */
export const CLOSING = 2;

const READY_STATE_NAMES: readonly ReadyState[] = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

function readyStateName(readyState: number): ReadyState {
  return READY_STATE_NAMES[readyState] ?? 'CLOSED';
}

/** Ten seconds: how long an opening handshake may take unless configured otherwise. @internal */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/**
 * One native socket, as the shared code drives it. Implementations do the
 * least possible work: the shared code has already validated the frame and
 * checked that the socket is open.
 * @internal
 */
export interface SocketDriver {
  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  readonly readyState: number;
  readonly bufferedAmount: number;
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

/** A request after validation, with the transport's defaults applied. @internal */
export interface ResolvedRequest {
  /** The normalised URL (the caller's own string when it was already normal). */
  readonly url: string;
  /** A private copy of the subprotocols (native APIs want `string[]`); one shared empty array when there are none. */
  readonly protocols: string[];
  /** The custom upgrade headers, or `undefined` when there are none. */
  readonly headers: Record<string, string> | undefined;
  /** Milliseconds; 0 disables the timeout. */
  readonly handshakeTimeout: number;
  /** The scheduler of the connection's timers: the request's, else the transport's. */
  readonly scheduler: SchedulerLike;
}

/**
 * What a transport gives each of its connections; one per transport, shared
 * by all its connections (a transport object implements it itself, so a
 * connection costs no per-connection closures or option objects).
 * @internal
 */
export interface SocketDialer {
  /** Why ping and pong frames cannot be sent, or `undefined` when they can. */
  readonly controlFramesUnsupported: string | undefined;
  /** Opens one native socket that reports to `session` (whose `connection` has the URL, subprotocols and headers). Must not report synchronously. */
  dial(session: SocketSession): SocketDriver;
}

/** The subprotocols of every request that offers none: one frozen array, not one per connection. */
const NO_PROTOCOLS: string[] = [];
Object.freeze(NO_PROTOCOLS);

// RFC 7230 token: subprotocol names and header field names.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Header values: no CR, LF or NUL (they would split or end the request).
const BAD_HEADER_VALUE = /[\r\n\0]/;

/**
 * Validates a {@link TransportRequest} before any network use: the URL
 * (`InvalidUrlError`), the subprotocols, headers and handshake timeout
 * (`InvalidOptionsError`), the scheduler (`InvalidOptionsError`).
 * @internal
 */
export function resolveRequest(request: TransportRequest, defaultHandshakeTimeout: number, defaultScheduler: SchedulerLike): ResolvedRequest {
  if (typeof request !== 'object' || request === null) {
    throw new InvalidOptionsError(`open() needs a request object such as { url: 'wss://example.com/socket' }, got ${String(request)}`);
  }
  const given = request.url;
  const normalized = normalizeUrl(given);
  // Keep the caller's string when it is already normal: one string fewer per connection.
  const url = normalized === given ? given : normalized;
  const { protocols = [], headers, handshakeTimeout = defaultHandshakeTimeout, scheduler } = request;
  if (!Array.isArray(protocols)) {
    throw new InvalidOptionsError(`protocols must be an array of subprotocol names, got ${typeof protocols}`);
  }
  const seen = new Set<string>();
  for (const protocol of protocols as readonly unknown[]) {
    if (typeof protocol !== 'string' || !TOKEN.test(protocol)) {
      throw new InvalidOptionsError(`protocols: ${JSON.stringify(protocol)} is not a valid subprotocol name (an HTTP token such as "graphql-ws")`);
    }
    if (seen.has(protocol)) throw new InvalidOptionsError(`protocols: "${protocol}" is offered twice`);
    seen.add(protocol);
  }
  let copy: Record<string, string> | undefined;
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null) {
      throw new InvalidOptionsError(`headers must be an object of header names to string values, got ${String(headers)}`);
    }
    for (const name of Object.keys(headers)) {
      const value: unknown = headers[name];
      if (!TOKEN.test(name)) throw new InvalidOptionsError(`headers: ${JSON.stringify(name)} is not a valid HTTP header name`);
      if (typeof value !== 'string' || BAD_HEADER_VALUE.test(value)) {
        throw new InvalidOptionsError(`headers: the value of "${name}" must be a string without CR, LF or NUL`);
      }
      (copy ??= {})[name] = value;
    }
  }
  return {
    url,
    protocols: protocols.length === 0 ? NO_PROTOCOLS : [...protocols],
    headers: copy,
    handshakeTimeout: checkHandshakeTimeout(handshakeTimeout, 'handshakeTimeout'),
    scheduler: scheduler === undefined ? defaultScheduler : checkScheduler(scheduler),
  };
}

/** Checks a timeout option: a number of milliseconds, 0 (disabled) to `MAX_DELAY`. @internal */
export function checkHandshakeTimeout(value: unknown, name: string): number {
  return checkDuration(`${name} (0 disables it)`, value, { zero: true });
}

/** Checks a scheduler option. @internal */
export function checkScheduler(value: unknown): SchedulerLike {
  if (typeof value !== 'object' || value === null || typeof (value as SchedulerLike).schedule !== 'function') {
    throw new InvalidOptionsError(`scheduler must be an rxjs SchedulerLike (such as asyncScheduler), got ${String(value)}`);
  }
  return value as SchedulerLike;
}

function isFrameList(value: Frame | readonly Frame[]): value is readonly Frame[] {
  return Array.isArray(value);
}

/**
 * One logical connection: `events` opens a new {@link SocketSession} per
 * subscription, and `frames` writes to the newest one.
 *
 * Lean by design, since a process may hold many idle connections: the
 * request's fields live here (no spec object), `events` and `frames` are
 * small class instances (no closures), and the transport itself is the
 * {@link SocketDialer}.
 * @internal
 */
export class SocketConnection implements TransportConnection {
  readonly events: Observable<TransportEvent>;
  readonly frames: Observer<Frame | readonly Frame[]>;
  /** The normalised URL. */
  readonly url: string;
  readonly protocols: string[];
  readonly headers: Record<string, string> | undefined;
  readonly handshakeTimeout: number;
  /** The scheduler of this connection's timers (the handshake timeout). */
  readonly scheduler: SchedulerLike;

  /** The session of the newest subscription, while it lasts. */
  current: SocketSession | undefined = undefined;
  framesSent = 0;
  framesReceived = 0;
  bytesSent = 0;
  bytesReceived = 0;
  connections = 0;
  protocol = '';
  extensions = '';

  constructor(
    readonly dialer: SocketDialer,
    request: ResolvedRequest,
  ) {
    this.events = new ConnectionEvents(this);
    this.frames = new ConnectionFrames(this);
    this.url = request.url;
    this.protocols = request.protocols;
    this.headers = request.headers;
    this.handshakeTimeout = request.handshakeTimeout;
    this.scheduler = request.scheduler;
  }

  /**
   * Makes the session of one subscription of `events`. A test transport
   * overrides it to observe how each socket ends.
   */
  createSession(subscriber: Subscriber<TransportEvent>): SocketSession {
    return new SocketSession(this, subscriber);
  }

  state(): TransportState {
    const session = this.current;
    const driver = session?.driver;
    return {
      readyState: session === undefined ? 'NONE' : driver === undefined ? 'CONNECTING' : readyStateName(driver.readyState),
      url: this.url,
      protocol: this.protocol,
      extensions: this.extensions,
      bufferedAmount: driver === undefined ? 0 : driver.bufferedAmount,
      framesSent: this.framesSent,
      framesReceived: this.framesReceived,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      connections: this.connections,
    };
  }

  /** `frames.next()`. */
  write(value: Frame | readonly Frame[]): void {
    if (isFrameList(value)) {
      // Validate the whole list first, so a bad frame sends none of it.
      const length = value.length;
      for (let i = 0; i < length; i++) this.check(value[i]);
      for (let i = 0; i < length; i++) this.send(value[i]);
    } else {
      this.check(value);
      this.send(value);
    }
  }

  private check(frame: Frame): void {
    validateFrame(frame);
    const unsupported = this.dialer.controlFramesUnsupported;
    if (unsupported !== undefined && (frame.type === 'ping' || frame.type === 'pong')) {
      throw new UnsupportedFrameError(frame.type, unsupported);
    }
  }

  private send(frame: Frame): void {
    const session = this.current;
    if (session === undefined) throw new NotOpenError('NONE');
    const driver = session.driver;
    if (driver === undefined) throw new NotOpenError('CONNECTING');
    const readyState = driver.readyState;
    if (readyState !== OPEN) throw new NotOpenError(readyStateName(readyState));
    switch (frame.type) {
      case 'text':
        this.bytesSent += driver.sendText(frame.data);
        break;
      case 'binary':
        driver.sendBinary(frame.data);
        this.bytesSent += frame.data.byteLength;
        break;
      case 'ping':
        driver.sendPing(frame.data);
        if (frame.data !== undefined) this.bytesSent += frame.data.byteLength;
        break;
      case 'pong':
        driver.sendPong(frame.data);
        if (frame.data !== undefined) this.bytesSent += frame.data.byteLength;
        break;
      case 'close':
        driver.close(frame.code, frame.reason);
        session.closeSent();
        this.bytesSent += frameSize(frame);
        break;
    }
    this.framesSent++;
  }
}

/** `connection.events`: cold; each subscription starts a {@link SocketSession}. */
class ConnectionEvents extends Observable<TransportEvent> {
  constructor(readonly connection: SocketConnection) {
    // A module-level subscribe function (rxjs calls it with `this` = this Observable): no closure per connection.
    super(subscribeEvents);
  }
}

function subscribeEvents(this: Observable<TransportEvent>, subscriber: Subscriber<TransportEvent>): TeardownLogic {
  const session = (this as ConnectionEvents).connection.createSession(subscriber);
  session.start();
  return session;
}

/** `connection.frames`: the Observer half, on the prototype (no closures per connection). */
class ConnectionFrames implements Observer<Frame | readonly Frame[]> {
  constructor(private readonly connection: SocketConnection) {}

  next(value: Frame | readonly Frame[]): void {
    this.connection.write(value);
  }

  error(error: unknown): void {
    this.connection.current?.requestClose(1011, true, error);
  }

  complete(): void {
    this.connection.current?.requestClose(1000, false, undefined);
  }
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
 * @internal
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
    if ((this.flags & DONE) !== 0) return;
    const connection = this.connection;
    connection.framesReceived++;
    connection.bytesReceived += bytes;
    this.subscriber.next({ type: 'frame', frame: { type: 'text', data } });
  }

  onBinary(data: Uint8Array): void {
    if ((this.flags & DONE) !== 0) return;
    const connection = this.connection;
    connection.framesReceived++;
    connection.bytesReceived += data.byteLength;
    this.subscriber.next({ type: 'frame', frame: { type: 'binary', data } });
  }

  /** A ping arrived (the implementation answers it by itself). An empty payload gives `{ type: 'ping' }`. */
  onPing(data: Uint8Array): void {
    if ((this.flags & DONE) !== 0) return;
    const connection = this.connection;
    connection.framesReceived++;
    connection.bytesReceived += data.byteLength;
    this.subscriber.next({ type: 'frame', frame: data.byteLength === 0 ? { type: 'ping' } : { type: 'ping', data } });
  }

  /** A pong arrived. An empty payload gives `{ type: 'pong' }`. */
  onPong(data: Uint8Array): void {
    if ((this.flags & DONE) !== 0) return;
    const connection = this.connection;
    connection.framesReceived++;
    connection.bytesReceived += data.byteLength;
    this.subscriber.next({ type: 'frame', frame: data.byteLength === 0 ? { type: 'pong' } : { type: 'pong', data } });
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
