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
import { Observable, Observer, SchedulerLike, Subscriber, Subscription, Unsubscribable } from 'rxjs';
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
  /** The normalised URL. */
  readonly url: string;
  /** A private, mutable copy of the subprotocols (native APIs want `string[]`). */
  readonly protocols: string[];
  /** The custom upgrade headers, or `undefined` when there are none. */
  readonly headers: Record<string, string> | undefined;
  /** Milliseconds; 0 disables the timeout. */
  readonly handshakeTimeout: number;
}

/** Everything a {@link SocketConnection} needs from its transport. @internal */
export interface ConnectionSpec extends ResolvedRequest {
  readonly scheduler: SchedulerLike;
  /** Why ping and pong frames cannot be sent, or `undefined` when they can. */
  readonly controlFramesUnsupported: string | undefined;
  /** Opens one native socket that reports to `session`. Must not report synchronously. */
  readonly dial: (session: SocketSession) => SocketDriver;
}

// RFC 7230 token: subprotocol names and header field names.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Header values: no CR, LF or NUL (they would split or end the request).
const BAD_HEADER_VALUE = /[\r\n\0]/;

/**
 * Validates a {@link TransportRequest} before any network use: the URL
 * (`InvalidUrlError`), the subprotocols, headers and handshake timeout
 * (`InvalidOptionsError`).
 * @internal
 */
export function resolveRequest(request: TransportRequest, defaultHandshakeTimeout: number): ResolvedRequest {
  if (typeof request !== 'object' || request === null) {
    throw new InvalidOptionsError(`open() needs a request object such as { url: 'wss://example.com/socket' }, got ${String(request)}`);
  }
  const url = normalizeUrl(request.url);
  const { protocols = [], headers, handshakeTimeout = defaultHandshakeTimeout } = request;
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
  return { url, protocols: [...protocols], headers: copy, handshakeTimeout: checkHandshakeTimeout(handshakeTimeout, 'handshakeTimeout') };
}

/** Checks a timeout option: a finite number of milliseconds, 0 or more. @internal */
export function checkHandshakeTimeout(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new InvalidOptionsError(`${name} must be a finite number of milliseconds, 0 or more (0 disables it), got ${String(value)}`);
  }
  return value;
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
 * @internal
 */
export class SocketConnection implements TransportConnection {
  readonly events: Observable<TransportEvent>;
  readonly frames: Observer<Frame | readonly Frame[]>;

  /** The session of the newest subscription, while it lasts. */
  current: SocketSession | undefined = undefined;
  framesSent = 0;
  framesReceived = 0;
  bytesSent = 0;
  bytesReceived = 0;
  connections = 0;
  protocol = '';
  extensions = '';

  constructor(readonly spec: ConnectionSpec) {
    this.events = new Observable<TransportEvent>((subscriber) => {
      const session = new SocketSession(this, subscriber);
      session.start();
      return session;
    });
    this.frames = {
      next: (value) => this.write(value),
      error: (error: unknown) => this.current?.requestClose(1011, true, error),
      complete: () => this.current?.requestClose(1000, false, undefined),
    };
  }

  state(): TransportState {
    const session = this.current;
    const driver = session?.driver;
    return {
      readyState: session === undefined ? 'NONE' : driver === undefined ? 'CONNECTING' : readyStateName(driver.readyState),
      url: this.spec.url,
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

  private write(value: Frame | readonly Frame[]): void {
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
    const unsupported = this.spec.controlFramesUnsupported;
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
        session.closeRequested = true;
        this.bytesSent += frameSize(frame);
        break;
    }
    this.framesSent++;
  }
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
  /** The open event has been emitted. */
  opened = false;
  /** This side asked for the close: `events` completes (or errors with `frames.error`'s value). */
  closeRequested = false;
  /** The subscription has ended; nothing more is emitted. */
  done = false;
  private hasFailure = false;
  private failure: unknown = undefined;
  /** A runtime error seen after open, kept as the `cause` of the close error. */
  private cause: unknown = undefined;
  private timer: Subscription | undefined = undefined;

  constructor(
    readonly connection: SocketConnection,
    private readonly subscriber: Subscriber<TransportEvent>,
  ) {}

  /** The connection's spec (URL, subprotocols, headers) for the driver. */
  get spec(): ConnectionSpec {
    return this.connection.spec;
  }

  start(): void {
    const connection = this.connection;
    const { url, handshakeTimeout, scheduler, dial } = connection.spec;
    connection.current = this;
    connection.connections++;
    connection.protocol = '';
    connection.extensions = '';
    if (handshakeTimeout > 0) {
      this.timer = scheduler.schedule(() => this.fail(new ConnectTimeoutError(handshakeTimeout, url)), handshakeTimeout);
    }
    try {
      this.driver = dial(this);
    } catch (error) {
      this.fail(new ConnectError(url, error));
    }
  }

  onOpen(protocol: string, extensions: string): void {
    if (this.done) return;
    this.opened = true;
    this.stopTimer();
    const connection = this.connection;
    connection.protocol = protocol;
    connection.extensions = extensions;
    this.subscriber.next({ type: 'open', protocol, extensions });
  }

  onText(data: string, bytes: number): void {
    if (this.done) return;
    const connection = this.connection;
    connection.framesReceived++;
    connection.bytesReceived += bytes;
    this.subscriber.next({ type: 'frame', frame: { type: 'text', data } });
  }

  onBinary(data: Uint8Array): void {
    if (this.done) return;
    const connection = this.connection;
    connection.framesReceived++;
    connection.bytesReceived += data.byteLength;
    this.subscriber.next({ type: 'frame', frame: { type: 'binary', data } });
  }

  /** A ping arrived (the implementation answers it by itself). An empty payload gives `{ type: 'ping' }`. */
  onPing(data: Uint8Array): void {
    if (this.done) return;
    const connection = this.connection;
    connection.framesReceived++;
    connection.bytesReceived += data.byteLength;
    this.subscriber.next({ type: 'frame', frame: data.byteLength === 0 ? { type: 'ping' } : { type: 'ping', data } });
  }

  /** A pong arrived. An empty payload gives `{ type: 'pong' }`. */
  onPong(data: Uint8Array): void {
    if (this.done) return;
    const connection = this.connection;
    connection.framesReceived++;
    connection.bytesReceived += data.byteLength;
    this.subscriber.next({ type: 'frame', frame: data.byteLength === 0 ? { type: 'pong' } : { type: 'pong', data } });
  }

  /** A runtime error after open: the close that follows will carry it as `cause`. */
  onError(cause: unknown): void {
    if (this.cause === undefined) this.cause = cause;
  }

  /** The socket closed. Emits the close event (if it had opened), then completes or errors. */
  onClose(code: number, reason: string, wasClean: boolean): void {
    if (this.done) return;
    const { url } = this.connection.spec;
    if (!this.opened) {
      this.fail(new ConnectError(url, this.cause ?? new Error(`the socket closed with code ${code} before it opened`)));
      return;
    }
    this.subscriber.next({ type: 'close', code, reason, wasClean });
    if (this.done) return;
    if (this.closeRequested) this.end(this.hasFailure, this.failure);
    else this.end(true, new ConnectionClosedError(code, reason, wasClean, this.cause));
  }

  /** Ends the subscription with `error` now; the teardown then drops or closes the socket. */
  fail(error: unknown): void {
    if (this.done) return;
    this.end(true, error);
  }

  /** `frames.complete()` (1000) and `frames.error(e)` (1011). */
  requestClose(code: number, hasFailure: boolean, failure: unknown): void {
    if (this.done) return;
    this.closeRequested = true;
    if (hasFailure) {
      this.hasFailure = true;
      this.failure = failure;
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

  private end(hasError: boolean, error: unknown): void {
    this.release();
    if (hasError) this.subscriber.error(error);
    else this.subscriber.complete();
  }

  private release(): void {
    if (this.done) return;
    this.done = true;
    this.stopTimer();
    if (this.connection.current === this) this.connection.current = undefined;
  }

  private stopTimer(): void {
    const timer = this.timer;
    if (timer !== undefined) {
      this.timer = undefined;
      timer.unsubscribe();
    }
  }
}
