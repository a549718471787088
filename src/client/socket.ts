import { BehaviorSubject, Observable, Observer, SchedulerLike, Subject, Subscription, defer, identity } from 'rxjs';
import type { RandomSource } from '../backoff/backoff';
import { CodecError, ConnectionClosedError, HeartbeatTimeoutError, NotOpenError, SocketClosedError } from '../errors';
import { Frame, closeFrame, pingFrame, utf8Length } from '../frame';
import { createHeartbeat, HeartbeatTimer } from '../operators/heartbeat';
import { reconnect, ReconnectAttempt, ReconnectConfig } from '../operators/reconnect';
import type { Transport, TransportConnection, TransportEvent, TransportRequest } from '../transport/transport';
import { Codec, encodeFrame } from './codec';
import type { PerAttempt } from './connect-options';
import type { DroppedReason, SocketEvent } from './events';
import { Outbox, OutboxConfig, OutboxEntry } from './outbox';
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
  readonly events$: Observable<SocketEvent>;

  private readonly config: SocketConfig<In, Out>;
  private readonly scheduler: SchedulerLike;
  private readonly codec: Codec<In, Out>;
  private readonly stateSubject: BehaviorSubject<SocketState>;
  private readonly messagesSubject = new Subject<In>();
  private readonly eventsSubject = new Subject<SocketEvent>();
  private readonly outbox: Outbox<Out>;
  /** Emits once per attempt when its socket opens (so `reconnect`'s `resetAfter` can end an outage), errors or completes when it ends. */
  private readonly session$: Observable<void>;
  private readonly isPong: ((message: In) => boolean) | undefined;

  /** The connection of the current attempt, while it lasts. */
  private conn: TransportConnection | undefined;
  /** The socket is open and writing is not paused. */
  private writable = false;
  /** The socket is open (paused or not). */
  private open = false;
  private paused = false;
  private pollAction: Subscription | undefined;
  private sinceCheck = 0;
  private session: Subscription | undefined;
  private closeTimer: Subscription | undefined;
  /** `close()` was called: final. */
  private closed = false;
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
    this.outbox = new Outbox<Out>(config.outbox, config.scheduler, (entry, reason) => this.reportDrop(entry, reason));
    this.stateSubject = new BehaviorSubject<SocketState>({ status: 'closed', requested: false, gaveUp: false });
    this.state$ = this.stateSubject.asObservable();
    this.events$ = this.eventsSubject.asObservable();

    const reconnectOperator =
      config.reconnect === false
        ? identity
        : reconnect<void>({
            scheduler: config.scheduler,
            random: config.random,
            ...config.reconnect,
            onAttempt: (attempt: ReconnectAttempt) => this.onReconnectScheduled(attempt, config.reconnect),
          });
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
    return this.outbox.size;
  }

  // ---- sending -------------------------------------------------------------------------------

  send(message: Out, options?: SendOptions): void {
    if (this.closed) throw new SocketClosedError('send()');
    const frame = encodeFrame(this.codec, message);
    if (this.writable && this.outbox.size === 0 && this.write(frame)) return;
    this.outbox.push(message, frame, frame.type === 'text' ? utf8Length(frame.data) : frame.data.byteLength, options?.ttl);
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
    if (this.eventsSubject.observed) {
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

  /** Writes queued messages in order while the socket is writable. */
  private flush(): void {
    while (this.writable) {
      const entry = this.outbox.shift();
      if (entry === undefined) return;
      if (!this.write(entry.frame as Frame & { type: 'text' | 'binary' })) {
        this.outbox.unshift(entry);
        return;
      }
    }
  }

  private checkBackpressure(conn: TransportConnection): void {
    const buffered = conn.state().bufferedAmount;
    if (buffered <= this.config.highWaterMark || this.paused) return;
    this.paused = true;
    this.writable = false;
    if (this.eventsSubject.observed) this.emit({ type: 'backpressure', paused: true, bufferedAmount: buffered, time: this.scheduler.now() });
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
    this.writable = this.open;
    if (this.eventsSubject.observed) this.emit({ type: 'backpressure', paused: false, bufferedAmount, time: this.scheduler.now() });
    this.flush();
  }

  // ---- the connection ------------------------------------------------------------------------

  private start(): void {
    if (this.session !== undefined || this.finished) return;
    // Set before subscribing: the session may end synchronously inside subscribe().
    const session = new Subscription();
    this.session = session;
    session.add(
      this.session$.subscribe({
        error: (error: unknown) => {
          if (this.session === session) this.end(error);
        },
        complete: () => {
          if (this.session === session) this.onSessionComplete();
        },
      }),
    );
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
      const attempt = this.nextAttempt;
      const request = this.buildRequest();
      const conn = this.config.transport.open(request);
      const startedAt = this.scheduler.now();
      this.conn = conn;
      this.setState({ status: 'connecting', attempt, url: request.url });
      if (this.eventsSubject.observed) this.emit({ type: 'connecting', attempt, url: request.url, time: startedAt });

      let heartbeat: HeartbeatTimer | undefined;
      let opened = false;
      let closeEvent: { code: number; reason: string; wasClean: boolean } | undefined;

      const fail = (error: unknown): void => {
        if (opened && this.eventsSubject.observed) {
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
        subscriber.error(error);
      };

      const events = conn.events.subscribe({
        next: (event: TransportEvent) => {
          if (event.type === 'frame') {
            heartbeat?.alive();
            const frame = event.frame;
            if (frame.type === 'text' || frame.type === 'binary') this.receive(frame, heartbeat, fail);
            else if (frame.type === 'pong') heartbeat?.pong();
            return;
          }
          if (event.type === 'open') {
            opened = true;
            // The value marks the open for reconnect(): resetAfter counts from here.
            subscriber.next();
            heartbeat = this.startHeartbeat(conn, fail);
            this.onOpen(conn, attempt, request.url, event.protocol, startedAt);
            return;
          }
          closeEvent = { code: event.code, reason: event.reason, wasClean: event.wasClean };
          this.lastClose = closeEvent;
        },
        error: fail,
        complete: () => {
          if (this.eventsSubject.observed) {
            this.emit({
              type: 'closed',
              code: closeEvent?.code ?? 1000,
              reason: closeEvent?.reason ?? '',
              wasClean: closeEvent?.wasClean ?? true,
              initiator: 'client',
              time: this.scheduler.now(),
            });
          }
          subscriber.complete();
        },
      });

      return () => {
        heartbeat?.stop();
        events.unsubscribe();
        if (this.conn === conn) this.detach();
      };
    });
  }

  private startHeartbeat(conn: TransportConnection, fail: (error: unknown) => void): HeartbeatTimer | undefined {
    const options = this.config.heartbeat;
    if (options === undefined) return undefined;
    const appPing = options.ping;
    const timer = createHeartbeat({
      interval: options.interval,
      timeout: options.timeout,
      scheduler: this.scheduler,
      ping:
        appPing === undefined
          ? () => conn.frames.next(pingFrame())
          : () => conn.frames.next(encodeFrame(this.codec, typeof appPing === 'function' ? (appPing as () => Out)() : appPing)),
      onTimeout: (error: HeartbeatTimeoutError) => {
        if (this.eventsSubject.observed) this.emit({ type: 'heartbeat-timeout', timeout: error.timeout, time: this.scheduler.now() });
        // The peer is presumed dead: abort the socket rather than wait for a closing handshake.
        try {
          conn.frames.error(error);
        } catch {
          // The socket may already be gone; the error below ends the attempt either way.
        }
        fail(error);
      },
      onRtt: (rtt: number) => {
        if (this.eventsSubject.observed) this.emit({ type: 'rtt', rtt, time: this.scheduler.now() });
      },
      onError: fail,
    });
    timer.start();
    return timer;
  }

  private onOpen(conn: TransportConnection, attempt: number, url: string, protocol: string, startedAt: number): void {
    this.open = true;
    this.writable = !this.paused;
    this.sinceCheck = 0;
    if (this.eventsSubject.observed) {
      const now = this.scheduler.now();
      this.emit({ type: 'opened', attempt, url, protocol, connectTime: now - startedAt, time: now });
    }
    this.flush();
    if (this.conn === conn && !this.closed) this.setState({ status: 'open', attempt, url, protocol });
  }

  /** A data frame arrived: decode it and hand it on. The per-message path. */
  private receive(frame: Frame & { type: 'text' | 'binary' }, heartbeat: HeartbeatTimer | undefined, fail: (error: unknown) => void): void {
    let message: In;
    try {
      message = this.codec.decode(frame.data);
    } catch (cause) {
      this.onDecodeError(frame, cause, fail);
      return;
    }
    if (this.isPong !== undefined && heartbeat !== undefined && this.isPong(message)) {
      heartbeat.pong();
      return;
    }
    if (this.eventsSubject.observed) {
      this.emit({
        type: 'received',
        kind: frame.type,
        bytes: frame.type === 'text' ? utf8Length(frame.data) : frame.data.byteLength,
        time: this.scheduler.now(),
      });
    }
    this.messagesSubject.next(message);
  }

  private onDecodeError(frame: Frame & { type: 'text' | 'binary' }, cause: unknown, fail: (error: unknown) => void): void {
    const error = codecErrorOf(cause);
    if (this.eventsSubject.observed) {
      this.emit({
        type: 'decode-error',
        kind: frame.type,
        bytes: frame.type === 'text' ? utf8Length(frame.data) : frame.data.byteLength,
        error,
        time: this.scheduler.now(),
      });
    }
    if (this.config.decodeErrors === 'fatal') fail(error);
  }

  private onReconnectScheduled(attempt: ReconnectAttempt, config: ReconnectConfig | false): void {
    this.nextAttempt = attempt.attempt;
    this.setState({ status: 'reconnecting', attempt: attempt.attempt, delay: attempt.delay, error: attempt.error });
    if (this.eventsSubject.observed) {
      this.emit({ type: 'reconnect-scheduled', attempt: attempt.attempt, delay: attempt.delay, error: attempt.error, time: this.scheduler.now() });
    }
    if (config !== false) notify(config.onAttempt, attempt);
  }

  /** The current connection is gone: stop writing to it. */
  private detach(): void {
    this.conn = undefined;
    this.open = false;
    this.writable = false;
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
    if (this.session === undefined) {
      this.onSessionComplete();
      return;
    }
    const { code, reason } = frame.type === 'close' ? { code: frame.code ?? 1000, reason: frame.reason ?? '' } : { code: 1000, reason: '' };
    this.setState({ status: 'closing', code, reason });
    const conn = this.conn;
    if (conn !== undefined && this.open) {
      this.writable = false;
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
    this.outbox.clear('closed');
    this.outbox.dispose();
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
    this.eventsSubject.complete();
  }

  /** The socket gave up (reconnection exhausted or the close policy said stop): final. */
  private end(error: unknown): void {
    this.session = undefined;
    this.detach();
    if (this.finished) return;
    this.finished = true;
    this.closed = true;
    if (this.eventsSubject.observed) this.emit({ type: 'gave-up', error, time: this.scheduler.now() });
    this.outbox.clear('closed');
    this.outbox.dispose();
    const last = this.lastClose;
    const fromError = error instanceof ConnectionClosedError ? { code: error.closeCode, reason: error.reason, wasClean: error.wasClean } : {};
    this.setState({ status: 'closed', ...(last ?? {}), ...fromError, error, requested: false, gaveUp: true });
    this.messagesSubject.error(error);
    this.stateSubject.complete();
    this.eventsSubject.complete();
  }

  // ---- lazy ----------------------------------------------------------------------------------

  private acquire(): void {
    this.consumers++;
    if (this.consumers === 1 && !this.closed) this.start();
  }

  private release(): void {
    this.consumers--;
    if (this.consumers === 0 && !this.closed && this.session !== undefined) this.shutdown(closeFrame(1000));
  }

  // ---- helpers -------------------------------------------------------------------------------

  private setState(state: SocketState): void {
    this.stateSubject.next(state);
  }

  private emit(event: SocketEvent): void {
    this.eventsSubject.next(event);
  }

  private reportDrop(entry: OutboxEntry<Out>, reason: DroppedReason): void {
    if (this.eventsSubject.observed) {
      this.emit({ type: 'dropped', reason, message: entry.message, bytes: entry.bytes, time: this.scheduler.now() });
    }
  }
}

/** The built-in codecs already throw `CodecError`; a user's codec may throw anything. */
function codecErrorOf(cause: unknown): CodecError {
  return cause instanceof CodecError ? cause : new CodecError('decode', cause);
}
