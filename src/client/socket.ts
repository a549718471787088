import {
  BehaviorSubject,
  MonoTypeOperatorFunction,
  Observable,
  Observer,
  SchedulerLike,
  Subject,
  Subscriber,
  Subscription,
  Unsubscribable,
  defer,
  identity,
  isObservable,
  take,
} from 'rxjs';
import type { RandomSource } from '../backoff/backoff';
import {
  AuthError,
  CodecError,
  ConnectionClosedError,
  HeartbeatTimeoutError,
  InvalidOptionsError,
  NotOpenError,
  OutboxFullError,
  RequestTimeoutError,
  SocketClosedError,
} from '../errors';
import { Frame, closeFrame, pingFrame, utf8Length } from '../frame';
import { createHeartbeat, HeartbeatTimer } from '../operators/heartbeat';
import { reconnect, reconnectDecision, ReconnectAttempt, ReconnectConfig } from '../operators/reconnect';
import type { Transport, TransportConnection, TransportEvent, TransportRequest } from '../transport/transport';
import { Codec, encodeFrame } from './codec';
import type { PerAttempt } from './connect-options';
import type { DroppedReason, SocketEvent } from './events';
import { ChannelEntry, ChannelRegistry } from './channels';
import { Outbox, OutboxConfig, OutboxEntry } from './outbox';
import type { Protocol } from './protocol';
import { RateLimitOptions, TokenBucket } from './rate-limit';
import { InFlightPolicy, Pending, RequestOptions, RequestRegistry, Tracked } from './requests';
import type { SocketState } from './state';

/** Per-message options of {@link Socket.send}. */
export interface SendOptions {
  /**
   * Milliseconds this message may wait in the outbox before it is dropped
   * (reported on `events$` as `dropped`, reason `expired`).
   * @default the outbox's `ttl`
   */
  readonly ttl?: number;
}

/**
 * A WebSocket that stays connected across failures, says what it is doing,
 * and never drops an accepted message without saying so. Made by `connect()`.
 *
 * It is also an `Observer<Out>`: `source$.subscribe(socket)` sends every
 * value (an error or completion of the source does not close the socket).
 */
export interface Socket<In = unknown, Out = unknown> extends Observer<Out> {
  /** Decoded inbound data messages, multicast, surviving reconnects. Completes after `close()`; errors when the socket gives up. */
  readonly messages$: Observable<In>;
  /** The connection state; replays the current one. Completes after the final `closed`. */
  readonly state$: Observable<SocketState>;
  /** Typed telemetry. Costs nothing on the message path while nobody subscribes. */
  readonly events$: Observable<SocketEvent>;
  /** The current state. */
  readonly state: SocketState;
  /** How many messages wait in the outbox. */
  readonly queued: number;
  /**
   * Sends a message: written at once when the socket is open and nothing
   * waits before it, otherwise queued in the outbox and flushed in order on
   * open. Throws `CodecError` when the message cannot be encoded,
   * `OutboxFullError` when the outbox is full (overflow `'error'`), and
   * `SocketClosedError` after `close()`.
   */
  send(message: Out, options?: SendOptions): void;
  /**
   * An Observable of one topic's messages (what the protocol's `channelData`
   * gives; the whole message by default). Subscriptions are reference-counted
   * per topic and params: the first subscriber sends one subscribe message,
   * the last one leaving sends one unsubscribe, any number in between send
   * nothing. After every reconnect (and after authentication) each live
   * channel is subscribed again, before queued messages are flushed. A
   * subscribe error from the server errors that channel's subscribers only.
   * @param params - part of the channel's identity, handed to the protocol's `subscribe`. @default undefined
   */
  channel<T = unknown>(topic: string, params?: unknown): Observable<T>;
  /**
   * A cold Observable: on subscribe it sends `message` with a fresh id (the
   * protocol's `withId`) and emits the matching response's value, then
   * completes; a server error response errors it (`RemoteError` with the
   * built-in adapters). Times out with `RequestTimeoutError`. Unsubscribing
   * before the response frees everything; a late response is then reported
   * on `events$`. Throws `InvalidOptionsError` if the protocol cannot
   * correlate responses.
   */
  request<R = unknown>(message: Out, options?: RequestOptions): Observable<R>;
  /**
   * Closes the socket for good: validates the code and reason
   * (`InvalidFrameError`), cancels a pending reconnect, moves `state$`
   * through `closing` to `closed`, completes `messages$`. Messages still in
   * the outbox are reported dropped (reason `closed`). Idempotent.
   * @param code - @default 1000
   * @param reason - @default ''
   */
  close(code?: number, reason?: string): void;
}

/** @internal The normalised options the socket runs with. */
export interface SocketConfig<In, Out> {
  readonly url: PerAttempt<string>;
  readonly transport: Transport;
  readonly protocols: PerAttempt<string | readonly string[]> | undefined;
  readonly headers: PerAttempt<Readonly<Record<string, string>>> | undefined;
  readonly codec: Codec<In, Out>;
  readonly decodeErrors: 'skip' | 'fatal';
  readonly reconnect: ReconnectConfig | false;
  readonly heartbeat:
    | { readonly interval: number; readonly timeout: number; readonly ping: Out | (() => Out) | undefined; readonly isPong: ((message: In) => boolean) | undefined }
    | undefined;
  readonly connectTimeout: number;
  readonly closeTimeout: number;
  readonly outbox: OutboxConfig;
  readonly highWaterMark: number;
  readonly pollInterval: number;
  readonly lazy: boolean;
  readonly scheduler: SchedulerLike;
  readonly random: RandomSource;
  readonly protocol: Protocol<In, Out> | undefined;
  readonly auth: ResolvedAuth<Out> | undefined;
  readonly rateLimit: RateLimitOptions<Out> | undefined;
  readonly requestTimeout: number;
  readonly inFlight: InFlightPolicy;
  readonly messagesIncludeChannels: boolean;
}

/** What `auth()` is told on each call. */
export interface AuthContext {
  /** The connection attempt (0 for the first connection). */
  readonly attempt: number;
  /** `true` when re-authenticating a live connection before its credentials expire. */
  readonly refresh: boolean;
}

/** @internal The normalised `auth` option. */
export interface ResolvedAuth<Out> {
  readonly message: (context: AuthContext) => Out | Observable<Out>;
  readonly timeout: number;
  readonly refreshBefore: number;
}

/** A data frame. */
type DataFrame = Frame & { type: 'text' | 'binary' };

/** What the outbox holds: a plain message, or one awaiting a correlated response. */
type Queued<In, Out> = Out | Tracked<In, Out>;

/** @internal The observer of a socket's session, and the token that tells a current session from an ended one. */
class Session<In, Out> implements Observer<void>, Unsubscribable {
  subscription: Subscription | undefined = undefined;
  constructor(private readonly socket: RxnovaSocket<In, Out>) {}
  next(): void {}
  error(error: unknown): void {
    this.socket.onSessionError(this, error);
  }
  complete(): void {
    this.socket.onSessionEnd(this);
  }
  unsubscribe(): void {
    this.subscription?.unsubscribe();
  }
}

/**
 * One connection attempt: everything that belongs to it and ends with it. It
 * is the observer of its transport events and the teardown of its
 * subscription, with prototype methods: an idle socket carries no closures
 * for it.
 * @internal
 */
class Attempt<In, Out> implements Observer<TransportEvent>, Unsubscribable {
  /** The subscription of the transport's events. */
  events: Subscription | undefined = undefined;
  heartbeat: HeartbeatTimer | undefined = undefined;
  opened = false;
  closeEvent: { readonly code: number; readonly reason: string; readonly wasClean: boolean } | undefined = undefined;
  /** The error the attempt ended with. */
  ended: unknown = undefined;
  /** Whether its `closed` telemetry event was emitted. */
  reported = false;
  /** The re-authentication scheduled before the credentials expire. */
  refresh: Subscription | undefined = undefined;
  private extra: Subscription | undefined = undefined;

  constructor(
    private readonly socket: RxnovaSocket<In, Out>,
    readonly subscriber: Subscriber<void>,
    readonly conn: TransportConnection,
    readonly attempt: number,
    readonly url: string,
    readonly startedAt: number,
  ) {}

  /** Timers and subscriptions that end with the attempt (auth, re-auth), made on first use. */
  get subs(): Subscription {
    return (this.extra ??= new Subscription());
  }

  next(event: TransportEvent): void {
    this.socket.onEvent(this, event);
  }

  error(error: unknown): void {
    this.fail(error);
  }

  complete(): void {
    this.socket.onComplete(this);
    this.subscriber.complete();
  }

  /** Ends the attempt with an error (a second call does nothing). */
  fail(error: unknown): void {
    if (this.subscriber.closed) return;
    this.ended = error;
    this.socket.onFail(this, error);
    this.subscriber.error(error);
  }

  /** The teardown: stops the heartbeat, cancels what the attempt started, closes its socket. */
  unsubscribe(): void {
    this.quiesce();
    this.events?.unsubscribe();
    this.socket.onEnd(this);
  }

  /** Stops what the attempt runs on its own (heartbeat, auth timers): nothing of it may fail any more. */
  quiesce(): void {
    this.heartbeat?.stop();
    this.refresh?.unsubscribe();
    this.extra?.unsubscribe();
  }
}

function sizeOf(frame: DataFrame): number {
  return frame.type === 'text' ? utf8Length(frame.data) : frame.data.byteLength;
}

/** Bytes written between two reads of the socket's buffered amount. */
const BACKPRESSURE_CHECK_BYTES = 64 * 1024;

function resolve<T>(value: PerAttempt<T>): T {
  return typeof value === 'function' ? (value as () => T)() : value;
}

function notify(target: ReconnectConfig['onAttempt'], attempt: ReconnectAttempt): void {
  if (typeof target === 'function') target(attempt);
  else target?.next?.(attempt);
}

/** @internal The Socket implementation; users get it from `connect()`. */
export class RxnovaSocket<In, Out> implements Socket<In, Out> {
  readonly messages$: Observable<In>;
  readonly state$: Observable<SocketState>;

  private readonly config: SocketConfig<In, Out>;
  private readonly scheduler: SchedulerLike;
  private readonly codec: Codec<In, Out>;
  private readonly stateSubject: BehaviorSubject<SocketState>;
  private readonly messagesSubject = new Subject<In>();
  /** Telemetry: made when `events$` is first read, so an unobserved socket carries none. */
  private evs: Subject<SocketEvent> | undefined;
  /** The outbox, made when a message first has to wait. */
  private box: Outbox<Queued<In, Out>> | undefined;
  private readonly protocol: Protocol<In, Out> | undefined;
  private readonly limiter: TokenBucket<Out> | undefined;
  /** Pending requests, made on first use. */
  private reqs: RequestRegistry<In, Out> | undefined;
  /** Live channels, made on first use. */
  private chans: ChannelRegistry | undefined;
  /** Emits once per attempt when its socket opens (so `reconnect`'s `resetAfter` can end an outage), errors or completes when it ends. */
  private readonly session$: Observable<void>;
  private readonly isPong: ((message: In) => boolean) | undefined;

  /** Whether url, protocols and headers are fixed values (no functions): then one transport connection serves every attempt. */
  private readonly fixedRequest: boolean;
  private fixedConn: TransportConnection | undefined;
  private fixedUrl = '';
  /** The current attempt, while it lasts. */
  private current: Attempt<In, Out> | undefined;
  /** The connection of the current attempt, while it lasts. */
  private conn: TransportConnection | undefined;
  /** The socket is open, authenticated, and writing is not paused (nor rate-limited). */
  private writable = false;
  /** The socket is open and authenticated (if `auth` is set): channels and the outbox may be written. */
  private ready = false;
  /** Counts opened connections: a channel records the one its subscribe was sent on. */
  private connections = 0;
  /** Channel (un)subscribes waiting to be written, before the outbox; they belong to the current connection. */
  private control: Array<Pending<In, Out>> | undefined;
  /** A flush scheduled for when the rate limiter has tokens again. */
  private rateTimer: Subscription | undefined;
  /** Without ids, the auth answer is recognised among inbound messages by this. */
  private awaitingAuth: ((message: In) => boolean) | undefined;
  /** The error the socket ended with, once it gave up. */
  private terminalError: unknown;
  /** The socket is open (paused or not). */
  private open = false;
  private paused = false;
  private pollAction: Subscription | undefined;
  private sinceCheck = 0;
  private session: Session<In, Out> | undefined;
  private closeTimer: Subscription | undefined;
  /** `close()` was called: final. */
  private closed = false;
  /** A requested close (final, or a lazy release) is under way: failures now end the session, they are not reconnected. */
  private stopping = false;
  /** Set when the socket has ended for good. */
  private finished = false;
  /** Lazy mode: consumers of messages$. */
  private consumers = 0;
  /** The attempt number the next connection is made under. */
  private nextAttempt = 0;
  /** The last close event seen, for the final state. */
  private lastClose: { code: number; reason: string; wasClean: boolean } | undefined;
  private requestedClose: { code: number; reason: string } | undefined;

  constructor(config: SocketConfig<In, Out>) {
    this.config = config;
    this.scheduler = config.scheduler;
    this.codec = config.codec;
    this.isPong = config.heartbeat?.isPong;
    this.protocol = config.protocol;
    this.fixedRequest = typeof config.url !== 'function' && typeof config.protocols !== 'function' && typeof config.headers !== 'function';
    this.limiter = config.rateLimit === undefined ? undefined : new TokenBucket<Out>(config.rateLimit, config.scheduler);
    this.stateSubject = new BehaviorSubject<SocketState>({ status: 'closed', requested: false, gaveUp: false });
    this.state$ = new Observable<SocketState>((subscriber) => {
      // A completed BehaviorSubject replays nothing: after the end, give the final state, then complete.
      if (this.stateSubject.isStopped) {
        subscriber.next(this.stateSubject.getValue());
        subscriber.complete();
        return undefined;
      }
      return this.stateSubject.subscribe(subscriber);
    });

    let reconnectOperator: MonoTypeOperatorFunction<void> = identity;
    if (config.reconnect !== false) {
      const { shouldReconnect, policy, ...rest } = config.reconnect;
      const decide = reconnectDecision(shouldReconnect, policy);
      reconnectOperator = reconnect<void>({
        scheduler: config.scheduler,
        random: config.random,
        ...rest,
        // A close this side asked for is never undone by a reconnect, whatever fails during the closing handshake.
        shouldReconnect: (error, attempt) => !this.stopping && decide(error, attempt),
        onAttempt: (attempt: ReconnectAttempt) => this.onReconnectScheduled(attempt, config.reconnect),
      });
    }
    this.session$ = defer(() => this.attempt()).pipe(reconnectOperator);

    if (config.lazy) {
      this.messages$ = new Observable<In>((subscriber) => {
        const inner = this.messagesSubject.subscribe(subscriber);
        this.acquire();
        return () => {
          inner.unsubscribe();
          this.release();
        };
      });
    } else {
      this.messages$ = this.messagesSubject.asObservable();
      this.start();
    }
  }

  get state(): SocketState {
    return this.stateSubject.getValue();
  }

  get queued(): number {
    return this.box === undefined ? 0 : this.box.size;
  }

  get events$(): Observable<SocketEvent> {
    if (this.evs === undefined) {
      this.evs = new Subject<SocketEvent>();
      if (this.finished) this.evs.complete();
    }
    return this.evs.asObservable();
  }

  private get outbox(): Outbox<Queued<In, Out>> {
    return (this.box ??= new Outbox<Queued<In, Out>>(this.config.outbox, this.scheduler, (entry, reason) => this.reportDrop(entry, reason)));
  }

  private get requests(): RequestRegistry<In, Out> {
    return (this.reqs ??= new RequestRegistry<In, Out>());
  }

  private get channels(): ChannelRegistry {
    return (this.chans ??= new ChannelRegistry());
  }

  // ---- sending -------------------------------------------------------------------------------

  send(message: Out, options?: SendOptions): void {
    if (this.closed) throw this.closedError('send()');
    this.submit(message, encodeFrame(this.codec, message), undefined, options?.ttl);
  }

  /** Writes at once when the socket is writable and nothing waits before it; otherwise queues. The per-message send path. */
  private submit(message: Out, frame: DataFrame, pending: Pending<In, Out> | undefined, ttl?: number): void {
    const limiter = this.limiter;
    if (limiter === undefined) {
      if (this.writable && (this.box === undefined || this.box.size === 0) && this.write(frame)) {
        if (pending !== undefined) pending.written = true;
        return;
      }
    } else {
      const cost = limiter.cost(message);
      if (this.writable && (this.box === undefined || this.box.size === 0)) {
        if (limiter.tryTake(cost)) {
          if (this.write(frame)) {
            if (pending !== undefined) pending.written = true;
            return;
          }
          limiter.refund(cost);
        } else {
          this.scheduleRateFlush(limiter.waitFor(cost));
        }
      }
    }
    this.outbox.push(pending === undefined ? message : new Tracked(pending), frame, sizeOf(frame), ttl);
  }

  private scheduleRateFlush(wait: number): void {
    if (this.rateTimer !== undefined) return;
    this.rateTimer = this.scheduler.schedule(() => {
      this.rateTimer = undefined;
      this.flush();
    }, wait);
  }

  next(message: Out): void {
    this.send(message);
  }

  /** A piped source failed: the socket stays as it is (other sources may still send). */
  error(): void {}

  /** A piped source completed: the socket stays as it is. */
  complete(): void {}

  /** Writes one data frame to the open socket; false (and not writable) when the socket turned out not to be open. */
  private write(frame: Frame & { type: 'text' | 'binary' }): boolean {
    const conn = this.conn!;
    try {
      conn.frames.next(frame);
    } catch (error) {
      if (error instanceof NotOpenError) {
        this.writable = false;
        this.open = false;
        return false;
      }
      throw error;
    }
    const size = frame.type === 'text' ? frame.data.length : frame.data.byteLength;
    if (this.evs?.observed === true) {
      this.emit({
        type: 'sent',
        kind: frame.type,
        bytes: frame.type === 'text' ? utf8Length(frame.data) : size,
        time: this.scheduler.now(),
      });
    }
    this.sinceCheck += size;
    if (this.sinceCheck >= BACKPRESSURE_CHECK_BYTES) {
      this.sinceCheck = 0;
      this.checkBackpressure(conn);
    }
    return true;
  }

  /** Writes queued messages in order while the socket is writable and the rate limiter allows. */
  private flush(): void {
    if (!this.drainControl()) return;
    const limiter = this.limiter;
    const box = this.box;
    if (box === undefined) return;
    while (this.writable) {
      const entry = box.peek();
      if (entry === undefined) return;
      const queued = entry.message;
      const pending = queued instanceof Tracked ? queued.pending : undefined;
      if (pending !== undefined && pending.done) {
        // A request that timed out or was unsubscribed (the caller knows): not written.
        box.shift();
        continue;
      }
      let cost = 0;
      if (limiter !== undefined) {
        cost = limiter.cost(pending === undefined ? (queued as Out) : pending.message);
        if (!limiter.tryTake(cost)) {
          this.scheduleRateFlush(limiter.waitFor(cost));
          return;
        }
      }
      box.shift();
      if (!this.write(entry.frame as DataFrame)) {
        box.unshift(entry);
        limiter?.refund(cost);
        return;
      }
      if (pending !== undefined) pending.written = true;
    }
  }

  private checkBackpressure(conn: TransportConnection): void {
    const buffered = conn.state().bufferedAmount;
    if (buffered <= this.config.highWaterMark || this.paused) return;
    this.paused = true;
    this.writable = false;
    if (this.evs?.observed === true) this.emit({ type: 'backpressure', paused: true, bufferedAmount: buffered, time: this.scheduler.now() });
    const socket = this;
    this.pollAction = this.scheduler.schedule(function () {
      if (socket.conn !== conn || !socket.open) return;
      const amount = conn.state().bufferedAmount;
      if (amount > socket.config.highWaterMark) {
        this.schedule(undefined, socket.config.pollInterval);
        return;
      }
      socket.resume(amount);
    }, this.config.pollInterval);
  }

  private resume(bufferedAmount: number): void {
    this.paused = false;
    this.pollAction = undefined;
    this.writable = this.open && this.ready;
    if (this.evs?.observed === true) this.emit({ type: 'backpressure', paused: false, bufferedAmount, time: this.scheduler.now() });
    this.flush();
  }

  // ---- the connection ------------------------------------------------------------------------

  private start(): void {
    if (this.session !== undefined || this.finished) return;
    this.stopping = false;
    this.nextAttempt = 0;
    // Set before subscribing: the session may end synchronously inside subscribe().
    const session = new Session<In, Out>(this);
    this.session = session;
    const subscription = this.session$.subscribe(session);
    if (this.session === session) session.subscription = subscription;
    else subscription.unsubscribe();
  }

  /** @internal The session (the reconnecting sequence of attempts) gave up. */
  onSessionError(session: Session<In, Out>, error: unknown): void {
    if (this.session !== session) return;
    // A failure while closing as asked (the peer never answered, a ping hit the closing socket) ends the close.
    if (this.stopping) this.onSessionComplete();
    else this.end(error);
  }

  /** @internal The session ended as asked. */
  onSessionEnd(session: Session<In, Out>): void {
    if (this.session === session) this.onSessionComplete();
  }

  private buildRequest(): TransportRequest {
    const { url, protocols, headers, connectTimeout } = this.config;
    const resolvedProtocols = protocols === undefined ? undefined : resolve(protocols);
    const resolvedHeaders = headers === undefined ? undefined : resolve(headers);
    return {
      url: resolve(url),
      ...(resolvedProtocols === undefined
        ? {}
        : { protocols: typeof resolvedProtocols === 'string' ? [resolvedProtocols] : resolvedProtocols }),
      ...(resolvedHeaders === undefined ? {} : { headers: resolvedHeaders }),
      handshakeTimeout: connectTimeout,
    };
  }

  /** One connection attempt: subscribing opens a socket; it emits once when the socket opens, and errors or completes when it ends. */
  private attempt(): Observable<void> {
    return new Observable<void>((subscriber) => {
      if (this.stopping) {
        // close() was called while a reconnect was already on its way: no new socket.
        subscriber.complete();
        return;
      }
      this.lastClose = undefined;
      // With a fixed url, protocols and headers one transport connection serves every attempt (its events are cold:
      // each subscription is a new socket); otherwise each attempt asks the functions again.
      let conn = this.fixedConn;
      let url = this.fixedUrl;
      if (conn === undefined) {
        const request = this.buildRequest();
        conn = this.config.transport.open(request);
        url = request.url;
        if (this.fixedRequest) {
          this.fixedConn = conn;
          this.fixedUrl = url;
        }
      }
      const attempt = new Attempt<In, Out>(this, subscriber, conn, this.nextAttempt, url, this.scheduler.now());
      this.conn = conn;
      this.current = attempt;
      this.setState({ status: 'connecting', attempt: attempt.attempt, url });
      if (this.evs?.observed === true) this.emit({ type: 'connecting', attempt: attempt.attempt, url, time: attempt.startedAt });
      attempt.events = conn.events.subscribe(attempt);
      return attempt;
    });
  }

  /** @internal A transport event of an attempt. The per-message path starts here. */
  onEvent(attempt: Attempt<In, Out>, event: TransportEvent): void {
    if (event.type === 'frame') {
      const heartbeat = attempt.heartbeat;
      const frame = event.frame;
      if (frame.type === 'text' || frame.type === 'binary') {
        heartbeat?.alive();
        this.receive(frame, attempt);
      } else if (frame.type === 'pong') heartbeat?.pong();
      else heartbeat?.alive();
      return;
    }
    if (event.type === 'open') {
      attempt.opened = true;
      this.onOpen(attempt, event.protocol);
      return;
    }
    const { code, reason, wasClean } = event;
    attempt.closeEvent = this.lastClose = { code, reason, wasClean };
  }

  /** @internal An attempt failed (its socket errored, or the heartbeat, auth or a fatal decode error ended it). */
  onFail(attempt: Attempt<In, Out>, error: unknown): void {
    if (attempt.opened && !attempt.reported) attempt.reported = true;
    else return;
    if (this.evs?.observed === true) {
      const closeEvent = attempt.closeEvent;
      const code = closeEvent?.code ?? (error instanceof ConnectionClosedError ? error.closeCode : 1006);
      const wasClean = closeEvent?.wasClean ?? false;
      this.emit({
        type: 'closed',
        code,
        reason: closeEvent?.reason ?? '',
        wasClean,
        initiator: code === 1006 && !wasClean ? 'network' : 'server',
        error,
        time: this.scheduler.now(),
      });
    }
  }

  /** @internal An attempt's socket closed as this side asked. */
  onComplete(attempt: Attempt<In, Out>): void {
    const first = !attempt.reported;
    attempt.reported = true;
    if (first && this.evs?.observed === true) {
      const closeEvent = attempt.closeEvent;
      this.emit({
        type: 'closed',
        code: closeEvent?.code ?? 1000,
        reason: closeEvent?.reason ?? '',
        wasClean: closeEvent?.wasClean ?? true,
        initiator: 'client',
        time: this.scheduler.now(),
      });
    }
  }

  /** @internal An attempt ended (torn down): forget its connection. */
  onEnd(attempt: Attempt<In, Out>): void {
    // The attempt, not its connection, is compared: with a fixed request every attempt shares one connection,
    // and rxjs runs an ended attempt's teardown after a synchronous resubscription has started the next one.
    if (attempt.opened && !attempt.reported) {
      // Torn down without a close event of its own: the close handshake timed out, or the socket was dropped.
      attempt.reported = true;
      if (this.evs?.observed === true) {
        this.emit({ type: 'closed', code: 1006, reason: '', wasClean: false, initiator: 'client', time: this.scheduler.now() });
      }
    }
    if (this.current !== attempt) return;
    this.current = undefined;
    this.detach();
    const { ended, closeEvent } = attempt;
    this.reqs?.connectionLost(
      ended instanceof ConnectionClosedError
        ? ended
        : new ConnectionClosedError(closeEvent?.code ?? 1006, closeEvent?.reason ?? '', closeEvent?.wasClean ?? false, ended),
    );
  }

  private startHeartbeat(attempt: Attempt<In, Out>): HeartbeatTimer | undefined {
    const options = this.config.heartbeat;
    if (options === undefined) return undefined;
    const conn = attempt.conn;
    const fail = (error: unknown): void => attempt.fail(error);
    const appPing = options.ping;
    const timer = createHeartbeat({
      interval: options.interval,
      timeout: options.timeout,
      scheduler: this.scheduler,
      ping: () => {
        // A socket already closing (either side asked) is not pinged: its close event ends the attempt.
        if (!this.open) return;
        try {
          conn.frames.next(appPing === undefined ? pingFrame() : encodeFrame(this.codec, typeof appPing === 'function' ? (appPing as () => Out)() : appPing));
        } catch (error) {
          if (!(error instanceof NotOpenError)) throw error;
        }
      },
      onTimeout: (error: HeartbeatTimeoutError) => {
        if (this.evs?.observed === true) this.emit({ type: 'heartbeat-timeout', timeout: error.timeout, time: this.scheduler.now() });
        // The peer is presumed dead: abort the socket rather than wait for a closing handshake.
        try {
          conn.frames.error(error);
        } catch {
          // The socket may already be gone; the error below ends the attempt either way.
        }
        fail(error);
      },
      onRtt: (rtt: number) => {
        if (this.evs?.observed === true) this.emit({ type: 'rtt', rtt, time: this.scheduler.now() });
      },
      onError: fail,
    });
    timer.start();
    return timer;
  }

  private onOpen(scope: Attempt<In, Out>, protocol: string): void {
    const url = scope.url;
    this.open = true;
    this.ready = false;
    this.writable = false;
    this.sinceCheck = 0;
    this.connections++;
    if (this.evs?.observed === true) {
      const now = this.scheduler.now();
      this.emit({ type: 'opened', attempt: scope.attempt, url, protocol, connectTime: now - scope.startedAt, time: now });
    }
    const ready = (): void => this.becomeReady(scope, url, protocol);
    if (this.config.auth === undefined) ready();
    else this.authenticate(scope, false, ready);
  }

  /**
   * The connection is open (and authenticated): on every (re)connect the live
   * channels are subscribed first, then requests in flight are resent, then
   * the outbox is flushed; only then is the state `open`.
   */
  private becomeReady(scope: Attempt<In, Out>, url: string, protocol: string): void {
    if (this.current !== scope) return;
    // Ready (open and authenticated) is when the connection counts as up: reconnect()'s resetAfter counts from
    // here, and the heartbeat starts (no ping is written before authentication succeeds).
    scope.subscriber.next();
    if (this.current !== scope) return;
    scope.heartbeat = this.startHeartbeat(scope);
    this.ready = true;
    this.writable = !this.paused;
    this.control = undefined; // what was queued for the last connection belongs to it
    if (this.protocol?.subscribe !== undefined && this.chans !== undefined && this.chans.size > 0) {
      this.control = this.chans.all().map((entry) => this.channelPending(entry, 'subscribe'));
    }
    const front: Array<OutboxEntry<Queued<In, Out>>> = [];
    if (this.reqs !== undefined) {
      for (const pending of this.reqs.takeResends()) {
        front.push({ message: new Tracked(pending), frame: pending.frame, bytes: pending.bytes, expiresAt: Infinity });
      }
    }
    if (front.length > 0) {
      const box = this.outbox;
      for (let i = front.length - 1; i >= 0; i--) box.unshift(front[i]!);
    }
    this.flush();
    if (this.current === scope && !this.closed) this.setState({ status: 'open', attempt: scope.attempt, url, protocol });
  }

  // ---- authentication ------------------------------------------------------------------------

  /**
   * Sends the auth message right after open; nothing else is written until
   * it succeeds. With ids, the answer is matched by id; otherwise the
   * protocol's `authResult` recognises it; with neither, sending it counts
   * as success. Re-authenticates before expiry when the answer gives one.
   */
  private authenticate(scope: Attempt<In, Out>, refresh: boolean, onSuccess: () => void): void {
    const { message: make, timeout, refreshBefore } = this.config.auth!;
    const protocol = this.protocol;
    const failAuth = (reason: string, cause?: unknown): void => scope.fail(new AuthError(reason, cause));
    // Everything this round of authentication holds, released when it settles (a long-lived connection
    // re-authenticating for days keeps nothing of the earlier rounds).
    const round = new Subscription();
    scope.subs.add(round);
    round.add(this.scheduler.schedule(() => failAuth(`no answer to the auth message within ${timeout} ms`), timeout));

    const settle = (result: { ok: true; expiresIn?: number | undefined } | { ok: false; reason: string; cause?: unknown }): void => {
      scope.subs.remove(round);
      round.unsubscribe();
      if (!result.ok) {
        failAuth(result.reason, result.cause);
        return;
      }
      const { expiresIn } = result;
      if (this.evs?.observed === true) {
        this.emit({ type: 'authenticated', refresh, ...(expiresIn === undefined ? {} : { expiresIn }), time: this.scheduler.now() });
      }
      if (expiresIn !== undefined && Number.isFinite(expiresIn) && expiresIn >= 0) {
        scope.refresh?.unsubscribe();
        scope.refresh = this.scheduler.schedule(() => this.authenticate(scope, true, () => undefined), Math.max(0, expiresIn - refreshBefore));
      }
      onSuccess();
    };

    const sendAuth = (message: Out): void => {
      if (protocol?.withId !== undefined && protocol.idOf !== undefined) {
        const pending = this.pending('auth', message, 'fail', {
          onResponse: (response) => {
            const outcome = protocol.resultOf?.(response);
            if (outcome !== undefined && !outcome.ok) {
              settle({ ok: false, reason: outcome.error.message.replace(/^rxnova: /, ''), cause: outcome.error });
              return;
            }
            const answer = protocol.authResult?.(response);
            settle(answer === undefined || answer.ok ? { ok: true, expiresIn: answer?.expiresIn } : { ok: false, reason: answer.reason });
          },
          onFail: () => undefined,
        });
        this.requests.add(pending);
        round.add(() => this.requests.forget(pending));
        if (this.write(pending.frame)) pending.written = true;
        return;
      }
      const frame = encodeFrame(this.codec, message);
      if (protocol?.authResult !== undefined) {
        const read = protocol.authResult.bind(protocol);
        this.awaitingAuth = (response) => {
          const answer = read(response);
          if (answer === undefined) return false;
          this.awaitingAuth = undefined;
          settle(answer.ok ? { ok: true, expiresIn: answer.expiresIn } : { ok: false, reason: answer.reason });
          return true;
        };
        round.add(() => (this.awaitingAuth = undefined));
        this.write(frame);
        return;
      }
      this.write(frame);
      settle({ ok: true });
    };

    let produced: Out | Observable<Out>;
    try {
      produced = make({ attempt: scope.attempt, refresh });
    } catch (cause) {
      failAuth('auth() threw', cause);
      return;
    }
    if (!isObservable(produced)) {
      try {
        sendAuth(produced);
      } catch (cause) {
        failAuth('the auth message could not be sent', cause);
      }
      return;
    }
    let got = false;
    round.add(
      produced.pipe(take(1)).subscribe({
        next: (message) => {
          got = true;
          try {
            sendAuth(message);
          } catch (cause) {
            failAuth('the auth message could not be sent', cause);
          }
        },
        error: (cause: unknown) => failAuth('auth() failed', cause),
        complete: () => {
          if (!got) failAuth('auth() completed without a message');
        },
      }),
    );
  }

  // ---- channels and requests -----------------------------------------------------------------

  /** Makes a message awaiting a correlated response. */
  private pending(
    kind: Pending<In, Out>['kind'],
    raw: Out,
    inFlight: InFlightPolicy,
    handlers: Pick<Pending<In, Out>, 'onResponse' | 'onFail'>,
    correlated = true,
  ): Pending<In, Out> {
    const id = correlated ? this.requests.nextId() : 0;
    const message = correlated ? this.protocol!.withId!(raw, id) : raw;
    const frame = encodeFrame(this.codec, message);
    return {
      id,
      kind,
      message,
      frame,
      bytes: sizeOf(frame),
      inFlight,
      connection: this.connections,
      written: false,
      done: false,
      resend: false,
      ...handlers,
    };
  }

  /** A channel's subscribe or unsubscribe message, as a queue entry; with ids it is a tracked request whose error answer fails the channel. */
  private channelPending(entry: ChannelEntry, kind: 'subscribe' | 'unsubscribe'): Pending<In, Out> {
    const protocol = this.protocol!;
    const raw = kind === 'subscribe' ? protocol.subscribe!(entry.topic, entry.params) : protocol.unsubscribe!(entry.topic, entry.params);
    if (kind === 'subscribe') entry.sentOn = this.connections;
    const correlated = protocol.withId !== undefined && protocol.idOf !== undefined;
    // A pending even without ids: a (un)subscribe belongs to this connection, and is skipped if it is gone before it is written.
    let timer: Subscription | undefined;
    const pending = this.pending('control', raw, 'fail', {
      onResponse: (response) => {
        timer?.unsubscribe();
        const outcome = protocol.resultOf?.(response);
        if (kind === 'subscribe' && outcome !== undefined && !outcome.ok) {
          this.channels.remove(entry);
          // Refused: nothing is subscribed, so its subscribers leaving must not send an unsubscribe.
          entry.sentOn = 0;
          entry.subject.error(outcome.error);
        }
      },
      onFail: () => undefined,
    }, correlated);
    if (correlated) {
      this.requests.add(pending);
      // A server need not acknowledge (un)subscribes: stop waiting after the request timeout, quietly.
      timer = this.scheduler.schedule(() => this.reqs?.forget(pending, false), this.config.requestTimeout);
    }
    return pending;
  }

  /**
   * Sends a channel's subscribe or unsubscribe: through the control queue, which goes before the outbox, under the
   * rate limiter and backpressure, with no time-to-live and no overflow (it is the socket's own message, not one
   * `send()` accepted).
   */
  private sendChannel(entry: ChannelEntry, kind: 'subscribe' | 'unsubscribe'): void {
    (this.control ??= []).push(this.channelPending(entry, kind));
    this.flush();
  }

  /** Writes the control queue; `false` if it could not all be written now. */
  private drainControl(): boolean {
    const queue = this.control;
    if (queue === undefined) return true;
    const limiter = this.limiter;
    while (queue.length > 0) {
      if (!this.writable) return false;
      const pending = queue[0]!;
      if (pending.done || pending.connection !== this.connections) {
        // For a connection that is gone (the live channels are subscribed afresh on each open): not written.
        queue.shift();
        this.reqs?.forget(pending, false);
        continue;
      }
      let cost = 0;
      if (limiter !== undefined) {
        cost = limiter.cost(pending.message);
        if (!limiter.tryTake(cost)) {
          this.scheduleRateFlush(limiter.waitFor(cost));
          return false;
        }
      }
      queue.shift();
      if (!this.write(pending.frame)) {
        queue.unshift(pending);
        limiter?.refund(cost);
        return false;
      }
      pending.written = true;
    }
    return true;
  }

  channel<T = unknown>(topic: string, params?: unknown): Observable<T> {
    if (typeof topic !== 'string' || topic === '') {
      throw new InvalidOptionsError(`channel(topic): topic must be a non-empty string, got ${JSON.stringify(topic)}`);
    }
    return new Observable<T>((subscriber) => {
      if (this.finished) {
        subscriber.error(this.terminalError ?? new SocketClosedError('channel()'));
        return;
      }
      const { entry, created } = this.channels.acquire(topic, params);
      entry.refs++;
      const inner = (entry.subject as Subject<T>).subscribe(subscriber);
      if (created && this.ready && this.protocol?.subscribe !== undefined) {
        try {
          this.sendChannel(entry, 'subscribe');
        } catch (error) {
          // The subscribe could not even be made (a codec or cost function failed): no channel is left behind.
          inner.unsubscribe();
          entry.refs--;
          this.channels.remove(entry);
          subscriber.error(error);
          return;
        }
      }
      this.acquire();
      return () => {
        inner.unsubscribe();
        try {
          if (--entry.refs === 0) {
            this.channels.remove(entry);
            // Only the connection that has the subscription needs the unsubscribe; a new one never had it.
            if (this.ready && !this.closed && entry.sentOn === this.connections && this.protocol?.unsubscribe !== undefined) {
              this.sendChannel(entry, 'unsubscribe');
            }
          }
        } finally {
          this.release();
        }
      };
    });
  }

  request<R = unknown>(message: Out, options: RequestOptions = {}): Observable<R> {
    const protocol = this.protocol;
    if (protocol?.withId === undefined || protocol.idOf === undefined) {
      throw new InvalidOptionsError(
        'request() needs a protocol that correlates responses (withId and idOf): use protocol: jsonRpc() or jsonTopics(), or write your own',
      );
    }
    const { timeout = this.config.requestTimeout, inFlight = this.config.inFlight } = options;
    if (typeof timeout !== 'number' || !(timeout > 0)) {
      throw new InvalidOptionsError(`request(): timeout must be a positive number of ms, got ${String(timeout)}`);
    }
    if (inFlight !== 'fail' && inFlight !== 'resend') {
      throw new InvalidOptionsError(`request(): inFlight must be 'fail' or 'resend', got ${JSON.stringify(inFlight)}`);
    }
    return new Observable<R>((subscriber) => {
      if (this.closed) {
        subscriber.error(this.terminalError ?? new SocketClosedError('request()'));
        return;
      }
      let timer: Subscription | undefined;
      const pending = this.pending('request', message, inFlight, {
        onResponse: (response) => {
          timer?.unsubscribe();
          const outcome = protocol.resultOf === undefined ? { ok: true as const, value: response as unknown } : protocol.resultOf(response);
          if (outcome.ok) {
            subscriber.next(outcome.value as R);
            subscriber.complete();
          } else subscriber.error(outcome.error);
        },
        onFail: (error) => {
          timer?.unsubscribe();
          subscriber.error(error);
        },
      });
      if (timeout !== Infinity) {
        timer = this.scheduler.schedule(() => {
          this.requests.forget(pending);
          subscriber.error(new RequestTimeoutError(timeout, pending.id));
        }, timeout);
      }
      this.requests.add(pending);
      this.acquire();
      try {
        this.submit(pending.message, pending.frame, pending);
      } catch (error) {
        this.requests.forget(pending);
        subscriber.error(error);
      }
      return () => {
        timer?.unsubscribe();
        if (!pending.done) this.requests.forget(pending);
        this.release();
      };
    });
  }

  /** A data frame arrived: decode it and hand it on. The per-message path. */
  private receive(frame: Frame & { type: 'text' | 'binary' }, attempt: Attempt<In, Out>): void {
    let message: In;
    try {
      message = this.codec.decode(frame.data);
    } catch (cause) {
      this.onDecodeError(frame, cause, attempt);
      return;
    }
    const heartbeat = attempt.heartbeat;
    if (this.isPong !== undefined && heartbeat !== undefined && this.isPong(message)) {
      heartbeat.pong();
      return;
    }
    // Counted like 'sent': every data message but heartbeat pongs, including responses and channel messages kept off messages$.
    if (this.evs?.observed === true) {
      this.emit({
        type: 'received',
        kind: frame.type,
        bytes: frame.type === 'text' ? utf8Length(frame.data) : frame.data.byteLength,
        time: this.scheduler.now(),
      });
    }
    if (this.protocol !== undefined && this.route(message)) return;
    this.messagesSubject.next(message);
  }

  /** Hands a message to its request, the auth step or its channels; `true` if it is not for `messages$`. */
  private route(message: In): boolean {
    const protocol = this.protocol!;
    if (protocol.idOf !== undefined) {
      const id = protocol.idOf(message);
      if (id !== undefined && this.reqs !== undefined && this.reqs.settle(id, message, (late) => this.onLateResponse(late))) return true;
    }
    if (this.awaitingAuth !== undefined && this.awaitingAuth(message)) return true;
    const channels = this.chans;
    if (protocol.topicOf !== undefined && channels !== undefined && channels.size > 0) {
      const topic = protocol.topicOf(message);
      const entries = topic === undefined ? undefined : channels.ofTopic(topic);
      if (entries !== undefined) {
        const data = protocol.channelData === undefined ? message : protocol.channelData(message);
        for (const entry of entries) entry.subject.next(data);
        return !this.config.messagesIncludeChannels;
      }
    }
    if (protocol.channelError !== undefined && channels !== undefined && channels.size > 0) {
      const failure = protocol.channelError(message);
      if (failure !== undefined && channels.fail(failure.topic, failure.error)) return true;
    }
    return false;
  }

  private onLateResponse(id: number | string): void {
    if (this.evs?.observed === true) this.emit({ type: 'late-response', id, time: this.scheduler.now() });
  }

  private onDecodeError(frame: Frame & { type: 'text' | 'binary' }, cause: unknown, attempt: Attempt<In, Out>): void {
    const error = codecErrorOf(cause);
    if (this.evs?.observed === true) {
      this.emit({
        type: 'decode-error',
        kind: frame.type,
        bytes: frame.type === 'text' ? utf8Length(frame.data) : frame.data.byteLength,
        error,
        time: this.scheduler.now(),
      });
    }
    if (this.config.decodeErrors === 'fatal') attempt.fail(error);
  }

  private onReconnectScheduled(attempt: ReconnectAttempt, config: ReconnectConfig | false): void {
    this.nextAttempt = attempt.attempt;
    this.setState({ status: 'reconnecting', attempt: attempt.attempt, delay: attempt.delay, error: attempt.error });
    if (this.evs?.observed === true) {
      this.emit({ type: 'reconnect-scheduled', attempt: attempt.attempt, delay: attempt.delay, error: attempt.error, time: this.scheduler.now() });
    }
    if (config !== false) notify(config.onAttempt, attempt);
  }

  /** The current connection is gone: stop writing to it. */
  private detach(): void {
    this.current = undefined;
    this.conn = undefined;
    this.open = false;
    this.ready = false;
    this.writable = false;
    this.awaitingAuth = undefined;
    this.rateTimer?.unsubscribe();
    this.rateTimer = undefined;
    this.paused = false;
    this.pollAction?.unsubscribe();
    this.pollAction = undefined;
  }

  // ---- closing -------------------------------------------------------------------------------

  close(code = 1000, reason = ''): void {
    const frame = closeFrame(code, reason === '' ? undefined : reason);
    if (this.closed) return;
    this.closed = true;
    this.requestedClose = { code, reason };
    this.shutdown(frame);
  }

  /** Starts a requested close of the current connection (final with close(), or a lazy release). */
  private shutdown(frame: Frame): void {
    this.stopping = true;
    this.current?.quiesce();
    if (this.session === undefined) {
      this.onSessionComplete();
      return;
    }
    const { code, reason } = frame.type === 'close' ? { code: frame.code ?? 1000, reason: frame.reason ?? '' } : { code: 1000, reason: '' };
    this.setState({ status: 'closing', code, reason });
    const conn = this.conn;
    if (conn !== undefined && this.open) {
      this.writable = false;
      this.ready = false;
      this.open = false;
      const session = this.session;
      try {
        conn.frames.next(frame);
        // The closing handshake may have finished synchronously; otherwise bound the wait.
        if (this.session === session) {
          this.closeTimer = this.scheduler.schedule(() => {
            this.closeTimer = undefined;
            if (this.session === session) this.abortSession();
          }, this.config.closeTimeout);
        }
        return;
      } catch {
        // Not open after all: fall through and abort.
      }
    }
    // No open socket to close: the final state is the close asked for, not an earlier connection's.
    this.lastClose = undefined;
    this.abortSession();
  }

  private abortSession(): void {
    const session = this.session;
    this.session = undefined;
    session?.unsubscribe();
    this.onSessionComplete();
  }

  private onSessionComplete(): void {
    this.session = undefined;
    this.closeTimer?.unsubscribe();
    this.closeTimer = undefined;
    this.detach();
    if (this.closed) {
      this.finish();
      return;
    }
    // Lazy release finished: idle until the next consumer.
    const last = this.lastClose;
    this.setState({ status: 'closed', ...(last ?? {}), requested: true, gaveUp: false });
    if (this.consumers > 0) this.start();
  }

  /** The socket ended as asked: final. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const requested = this.requestedClose ?? { code: 1000, reason: '' };
    const last = this.lastClose;
    this.box?.clear('closed');
    this.box?.dispose();
    this.reqs?.failAll(new SocketClosedError('request()'));
    this.chans?.endAll();
    this.setState({
      status: 'closed',
      code: last?.code ?? requested.code,
      reason: last?.reason ?? requested.reason,
      wasClean: last?.wasClean ?? true,
      requested: true,
      gaveUp: false,
    });
    this.messagesSubject.complete();
    this.stateSubject.complete();
    this.evs?.complete();
  }

  /** The socket gave up (reconnection exhausted or the close policy said stop): final. */
  private end(error: unknown): void {
    this.session = undefined;
    this.detach();
    if (this.finished) return;
    this.finished = true;
    this.closed = true;
    this.terminalError = error;
    if (this.evs?.observed === true) this.emit({ type: 'gave-up', error, time: this.scheduler.now() });
    this.box?.clear('closed');
    this.box?.dispose();
    this.reqs?.failAll(error);
    this.chans?.endAll(error);
    const last = this.lastClose;
    const fromError = error instanceof ConnectionClosedError ? { code: error.closeCode, reason: error.reason, wasClean: error.wasClean } : {};
    this.setState({ status: 'closed', ...(last ?? {}), ...fromError, error, requested: false, gaveUp: true });
    this.messagesSubject.error(error);
    this.stateSubject.complete();
    this.evs?.complete();
  }

  // ---- lazy ----------------------------------------------------------------------------------

  private acquire(): void {
    if (!this.config.lazy) return;
    this.consumers++;
    if (this.consumers === 1 && !this.closed) this.start();
  }

  private release(): void {
    if (!this.config.lazy) return;
    this.consumers--;
    if (this.consumers === 0 && !this.closed && this.session !== undefined) this.shutdown(closeFrame(1000));
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** The error for using the socket after it ended: after close(), or after it gave up. */
  private closedError(operation: string): SocketClosedError {
    return this.terminalError === undefined
      ? new SocketClosedError(operation)
      : new SocketClosedError(operation, `it gave up: ${this.terminalError instanceof Error ? this.terminalError.message : String(this.terminalError)}`);
  }

  private setState(state: SocketState): void {
    this.stateSubject.next(state);
  }

  private emit(event: SocketEvent): void {
    this.evs?.next(event);
  }

  private reportDrop(entry: OutboxEntry<Queued<In, Out>>, reason: DroppedReason): void {
    const queued = entry.message;
    let message: unknown = queued;
    if (queued instanceof Tracked) {
      const pending = queued.pending;
      message = pending.message;
      if (pending.done) return; // its caller already had its answer (timeout or unsubscribe)
      this.requests.forget(pending);
      // Only requests are queued in the outbox (channel messages wait in the control queue).
      pending.onFail(this.dropError(reason, pending.id));
    }
    if (this.evs?.observed === true) {
      this.emit({ type: 'dropped', reason, message, bytes: entry.bytes, time: this.scheduler.now() });
    }
  }

  /** Why a queued request fails when its message is dropped from the outbox. */
  private dropError(reason: DroppedReason, id: number): unknown {
    switch (reason) {
      case 'overflow':
        return new OutboxFullError(this.outbox.size, this.outbox.bytes, 'the overflow policy dropped this request');
      case 'expired':
        return new RequestTimeoutError(this.config.outbox.ttl ?? 0, id);
      case 'closed':
        return this.terminalError ?? new SocketClosedError('request()');
    }
  }
}

/** The built-in codecs already throw `CodecError`; a user's codec may throw anything. */
function codecErrorOf(cause: unknown): CodecError {
  return cause instanceof CodecError ? cause : new CodecError('decode', cause);
}
