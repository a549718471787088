/**
 * The connection of a {@link TestTransport}: a `SocketConnection` (the code
 * the real transports share) whose dialer makes a {@link TestSocket} instead
 * of a network socket.
 * @packageDocumentation
 */
import type { Observable, Observer, SchedulerLike, Subscriber } from 'rxjs';
import { ConnectTimeoutError } from '../errors';
import type { Frame } from '../frame';
import { DrainableSocketConnection } from '../transport/drain';
import { ResolvedRequest, SocketDialer, SocketDriver, SocketSession } from '../transport/socket-connection';
import type { TransportConnection, TransportEvent, TransportRequest, TransportState } from '../transport/transport';
import { ScriptedDriver } from './test-socket-base';
import { TestSocket } from './test-socket';
import type { TestTransport } from './test-transport';

/**
 * The {@link TransportConnection} a {@link TestTransport} returns: `events`,
 * `frames`, `state()` and `drained()` are those of the real transports
 * (the same code), and it records its request and sockets.
 */
export class TestConnection implements TransportConnection, SocketDialer {
  /** `scheduler.now()` when `open()` made it. */
  readonly createdAt: number;
  /** Every socket of this connection (one per subscription of `events`), in order. */
  readonly sockets: readonly TestSocket[] = [];
  readonly events: Observable<TransportEvent>;
  readonly frames: Observer<Frame | readonly Frame[]>;
  /** The normalised URL. */
  readonly url: string;
  /** The subprotocols offered. */
  readonly protocols: readonly string[];
  /** The upgrade headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** The handshake timeout in force, in ms (0: none). */
  readonly handshakeTimeout: number;
  /** The scheduler of this connection's timers and scripted steps: the request's `scheduler`, else the transport's. */
  readonly scheduler: SchedulerLike;
  private readonly inner: TestSocketConnection;

  /** @internal Made by `TestTransport.open()`. */
  constructor(
    /** The transport that made it. */
    readonly transport: TestTransport,
    /** Position in `transport.connections`. */
    readonly index: number,
    /** The request as given to `open()`. */
    readonly request: TransportRequest,
    resolved: ResolvedRequest,
  ) {
    this.url = resolved.url;
    this.protocols = resolved.protocols;
    this.headers = resolved.headers ?? {};
    this.handshakeTimeout = resolved.handshakeTimeout;
    this.scheduler = resolved.scheduler;
    this.createdAt = this.scheduler.now();
    this.inner = new TestSocketConnection(this, resolved);
    this.events = this.inner.events;
    this.frames = this.inner.frames;
  }

  /** The socket of the newest subscription while it lives (the one `frames` writes to), else `undefined`. */
  get current(): TestSocket | undefined {
    const driver = this.inner.current?.driver;
    return driver === undefined ? undefined : ((driver as ScriptedDriver).socket as TestSocket);
  }

  state(): TransportState {
    return this.inner.state();
  }

  /** See `TransportConnection.drained`: driven by the socket's scripted `bufferedAmount` (`setBufferedAmount()`, `stall()`, `drain()`). */
  drained(threshold: number): Observable<number> {
    return this.inner.drained(threshold);
  }

  /** See `TransportConnection.written`: every frame written, except those a `stall()` still holds. */
  written(): number {
    return this.inner.written();
  }

  /** Why ping and pong frames cannot be written, when `capabilities.ping` is false (part of the shared connection code). */
  get controlFramesUnsupported(): string | undefined {
    const { transport } = this;
    return transport.capabilities.ping ? undefined : `this transport (${transport.name}) has capabilities.ping false; use application-level pings`;
  }

  /** A subscription of `events` starts: a new socket, registered before the script runs (part of the shared connection code). */
  dial(session: SocketSession): SocketDriver {
    const transport = this.transport;
    const socket = new TestSocket(this, session, transport.sockets.length, this.sockets.length, transport._autoPong);
    (this.sockets as TestSocket[]).push(socket);
    transport._register(socket);
    return new ScriptedDriver(socket, session);
  }
}

/** The shared connection code, with sessions that run the script and record how each socket ended. */
class TestSocketConnection extends DrainableSocketConnection {
  constructor(
    readonly test: TestConnection,
    resolved: ResolvedRequest,
  ) {
    super(test, resolved);
  }

  override createSession(subscriber: Subscriber<TransportEvent>): SocketSession {
    return new TestSession(this, subscriber);
  }
}

class TestSession extends SocketSession {
  override start(): void {
    super.start();
    const driver = this.driver;
    if (this.done || driver === undefined) return;
    // After the handshake timer: a scripted step at exactly the deadline comes too late.
    const socket = (driver as ScriptedDriver).socket as TestSocket;
    try {
      socket.connection.transport._script(socket, socket.index);
    } catch (error) {
      socket._scriptFailed(error);
    }
  }

  protected override end(hasError: boolean, error: unknown): void {
    const driver = this.driver;
    if (driver !== undefined) (driver as ScriptedDriver).socket._ended(hasError, error, hasError && error instanceof ConnectTimeoutError);
    super.end(hasError, error);
  }
}
