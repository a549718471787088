/**
 * The part of a socket transport that does not depend on the WebSocket
 * implementation: the cold `events` Observable, the `frames` Observer, the
 * counters behind `state()`, the handshake timeout on the scheduler, and the
 * rules for how a connection ends. `ws.ts` and `web-socket.ts` each supply a
 * {@link SocketDriver} (one per socket) that maps their native API onto
 * {@link SocketSession}'s methods.
 *
 * Not exported from any entry point.
 * (Internal: not exported from any entry point; declared for the testing entry.)
 * @packageDocumentation
 */
import { Observable, Observer, SchedulerLike, Subscriber, TeardownLogic } from 'rxjs';
import { NotOpenError, UnsupportedFrameError } from '../errors';
import { Frame, frameSize, validateFrame } from '../frame';
import type { ReadyState, TransportConnection, TransportEvent, TransportState } from './transport';
import type { ResolvedRequest } from './socket-request';
import { OPEN, SocketDriver, SocketSession } from './socket-session';

export { CLOSING, CONNECTING, OPEN, SocketSession } from './socket-session';
export type { SocketDriver } from './socket-session';
export { checkHandshakeTimeout, DEFAULT_HANDSHAKE_TIMEOUT, resolveRequest } from './socket-request';
export type { ResolvedRequest } from './socket-request';

const READY_STATE_NAMES: readonly ReadyState[] = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

function readyStateName(readyState: number): ReadyState {
  return READY_STATE_NAMES[readyState] ?? 'CLOSED';
}

/**
 * What a transport gives each of its connections; one per transport, shared
 * by all its connections (a transport object implements it itself, so a
 * connection costs no per-connection closures or option objects).
 * (Internal: not exported from any entry point; declared for the testing entry.)
 */
export interface SocketDialer {
  /** Why ping and pong frames cannot be sent, or `undefined` when they can. */
  readonly controlFramesUnsupported: string | undefined;
  /** Opens one native socket that reports to `session` (whose `connection` has the URL, subprotocols and headers). Must not report synchronously. */
  dial(session: SocketSession): SocketDriver;
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
 * (Internal: not exported from any entry point; declared for the testing entry.)
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
  /** The session of the newest subscription, also after it ended (for `written()`). */
  latest: SocketSession | undefined = undefined;
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
      writing: driver?.writing,
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
        // Marked as requested after the driver's close: a driver can tell a written close frame
        // (`closeRequested` still false) from `frames.complete()` and `frames.error()` (already true).
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
