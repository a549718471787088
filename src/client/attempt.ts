import { Observer, Subscriber, Subscription, Unsubscribable } from 'rxjs';
import { ConnectionClosedError, HeartbeatTimeoutError, NotOpenError } from '../errors';
import { Frame, pingFrame } from '../frame';
import { Heartbeat, HeartbeatTimer } from '../operators/create-heartbeat';
import type { TransportConnection, TransportEvent } from '../transport/transport';
import { encodeFrame } from './codec';
import { receive } from './inbound';
import type { SocketCore } from './core';
import { Liveness } from './liveness';
import { SentLog } from './sent-log';
import type { QueueOwner } from './write-queue';
import type { OutboxEntry } from './outbox';

/** How the last connection closed, for the final state. */
export interface CloseRecord {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/**
 * @internal One connection attempt, from dial to end. It owns everything that
 * lives as long as the connection (the transport subscription, the
 * heartbeat, the auth round, the write queue's timers, acknowledgement
 * timers) in one `Subscription`, `subs`: ending the attempt ends them all.
 * It is the observer of its transport events and the teardown of its
 * session subscription.
 */
export class Attempt<In, Out> implements Observer<TransportEvent>, Unsubscribable, QueueOwner<Out> {
  /** The subscription of the transport events. */
  private events: Subscription | undefined = undefined;
  /** What runs on its own while the connection lasts (auth round, write-queue and acknowledgement timers); the heartbeat stops with it. */
  private owned: Subscription | undefined = undefined;

  /** What runs on its own while the connection lasts, made on first use (an idle connection with no auth has none). */
  get work(): Subscription {
    return (this.owned ??= new Subscription());
  }
  heartbeat: HeartbeatTimer | undefined = undefined;
  /**
   * What was written to the open connection and may not have left the process yet: made on the first write
   * (`undefined` until then), `null` with a transport that has no `written()`.
   */
  log: SentLog<Out> | null | undefined = undefined;
  /** Whether a late ping may still be on its way (see {@link extend}); made at the first ping. */
  private liveness: Liveness | undefined = undefined;
  opened = false;
  closeEvent: CloseRecord | undefined = undefined;
  /** The error the attempt ended with. */
  ended: unknown = undefined;
  /** Whether its `closed` telemetry event was emitted. */
  private reported = false;

  constructor(
    private readonly core: SocketCore<In, Out>,
    readonly subscriber: Subscriber<void>,
    readonly conn: TransportConnection,
    readonly attempt: number,
    readonly url: string,
    readonly startedAt: number,
  ) {}

  /** Subscribes to the transport events: the socket is dialled. */
  start(): void {
    this.events = this.conn.events.subscribe(this);
  }

  /** The log of what was written, made on the first write; `undefined` when the transport cannot tell what left. */
  logged(): SentLog<Out> | undefined {
    const log = this.log;
    if (log === null) return undefined;
    return log ?? (this.log = new SentLog<Out>(this.conn as TransportConnection & { written(): number }));
  }

  /** The connection has ended: read what never left now, while the transport's count is still this connection's. */
  private keepUnsent(): void {
    const log = this.log;
    if (log !== null && log !== undefined) log.seal();
  }

  /** Stops what the attempt runs on its own: during a requested close nothing of it may fail any more. */
  quiesce(): void {
    this.heartbeat?.stop();
    // Closed for good: anything added to `work` from now on is cancelled at once.
    (this.owned ??= Subscription.EMPTY).unsubscribe();
  }

  /** Whether the attempt is over (failed, completed or torn down). */
  get over(): boolean {
    return this.subscriber.closed;
  }

  next(event: TransportEvent): void {
    if (event.type === 'frame') {
      const frame = event.frame;
      const heartbeat = this.heartbeat;
      if (frame.type === 'text' || frame.type === 'binary') {
        heartbeat?.alive();
        receive(this.core, frame, this);
      } else if (frame.type === 'pong') this.ponged();
      else heartbeat?.alive();
      return;
    }
    if (event.type === 'open') {
      this.opened = true;
      this.onOpen(event.protocol);
      return;
    }
    const { code, reason, wasClean } = event;
    this.closeEvent = { code, reason, wasClean };
    this.core.session.lastClose = this.closeEvent;
  }

  error(error: unknown): void {
    this.fail(error);
  }

  complete(): void {
    this.keepUnsent();
    this.report('client', undefined);
    this.subscriber.complete();
  }

  /**
   * The connection has ended: what it never handed to the operating system, oldest first, read once, while the
   * transport's count is still this connection's (before a reconnect can start). `undefined` without a log.
   */
  seal(): OutboxEntry<Out>[] | undefined {
    const log = this.log;
    this.log = null;
    if (log === null || log === undefined) return undefined;
    log.seal();
    return log.unsent();
  }

  /** Ends the attempt with an error (a second call does nothing). */
  fail(error: unknown): void {
    if (this.subscriber.closed) return;
    this.keepUnsent();
    this.ended = error;
    const close = this.closeEvent;
    const code = close?.code ?? (error instanceof ConnectionClosedError ? error.closeCode : 1006);
    const wasClean = close?.wasClean ?? false;
    this.report(code === 1006 && !wasClean ? 'network' : 'server', error);
    this.subscriber.error(error);
  }

  /** The teardown: ends everything the attempt owns, and tells the session. */
  unsubscribe(): void {
    // Torn down without a close event of its own: the close handshake timed out, or the socket was dropped.
    this.report('client', undefined, true);
    this.quiesce();
    this.events?.unsubscribe();
    this.core.session.onAttemptEnd(this);
  }

  /** The error requests in flight on this connection fail with. */
  lostError(): ConnectionClosedError {
    const { ended, closeEvent } = this;
    return ended instanceof ConnectionClosedError
      ? ended
      : new ConnectionClosedError(closeEvent?.code ?? 1006, closeEvent?.reason ?? '', closeEvent?.wasClean ?? false, ended);
  }

  /** Writes a frame outside the write queue (auth messages, pings); `false` when the socket turned out not to be open. */
  writeDirect(frame: Frame): boolean {
    try {
      this.conn.frames.next(frame);
      // The connection's own frame: in the log only to keep count (never sent again).
      if (frame.type !== 'close') this.logged()?.add(null);
      return true;
    } catch (error) {
      if (error instanceof NotOpenError) return false;
      throw error;
    }
  }

  private report(initiator: 'client' | 'server' | 'network', error: unknown, torn = false): void {
    if (!this.opened || this.reported) return;
    this.reported = true;
    const telemetry = this.core.telemetry;
    // Stryker disable next-line ConditionalExpression: equivalent as `false` (the other way is killed), emit() drops an event nobody observes; the guard saves making it
    if (!telemetry.observed) return;
    const close = torn ? undefined : this.closeEvent;
    const clean = error === undefined && !torn;
    telemetry.emit({
      type: 'closed',
      code: close?.code ?? (error instanceof ConnectionClosedError ? error.closeCode : clean ? 1000 : 1006),
      reason: close?.reason ?? '',
      wasClean: close?.wasClean ?? clean,
      initiator,
      ...(error === undefined ? {} : { error }),
    });
  }

  private onOpen(protocol: string): void {
    const { link, telemetry, engine } = this.core;
    if (this.conn.written === undefined) this.log = null;
    link.phase = 'authenticating';
    link.connection++;
    // Stryker disable next-line ConditionalExpression: equivalent as `true` (the other way is killed), emit() drops an event nobody observes; the guard saves making it
    if (telemetry.observed) {
      telemetry.emit({ type: 'opened', attempt: this.attempt, url: this.url, protocol, connectTime: this.core.scheduler.now() - this.startedAt });
    }
    const ready = (): void => this.ready(protocol);
    if (engine === undefined) ready();
    else engine.authenticate(this, ready);
  }

  /**
   * Open (and authenticated): on every (re)connect the live channels are
   * subscribed first, then requests in flight are resent, then the outbox is
   * flushed; only then is the state `open`.
   */
  private ready(protocol: string): void {
    if (this.over) return;
    const { link, queue, engine, session } = this.core;
    // Ready is when the connection counts as up: reconnect()'s resetAfter counts from here.
    this.subscriber.next();
    if (this.over || session.current !== this) return;
    this.startHeartbeat();
    link.phase = 'open';
    queue.attach(this.conn, this);
    engine?.onReady();
    queue.drain();
    if (session.current === this && link.phase === 'open') link.set({ status: 'open', attempt: this.attempt, url: this.url, protocol });
  }

  private startHeartbeat(): void {
    const options = this.core.config.heartbeat;
    if (options === undefined) return;
    // The attempt is the heartbeat's hooks (its ping, onTimeout, onRtt and onError methods): no closures per connection.
    const timer = new Heartbeat(options.interval, options.timeout, this.core.scheduler, this);
    this.heartbeat = timer;
    timer.start();
  }

  /** @internal Heartbeat hook: one ping. A socket already closing (either side asked) is not pinged: its close event ends the attempt. */
  ping(): void {
    const { link, config, scheduler } = this.core;
    if (link.phase !== 'open') return;
    const appPing = config.heartbeat!.ping;
    if (!this.writeDirect(appPing === undefined ? pingFrame() : encodeFrame(config.codec, typeof appPing === 'function' ? (appPing as () => Out)() : appPing))) return;
    const now = scheduler.now();
    (this.liveness ??= new Liveness(this.conn)).pinged(now);
  }

  /** A pong (protocol or application): the heartbeat's sign of life, and proof that all sent before its ping arrived. */
  ponged(): void {
    this.heartbeat?.pong();
    this.liveness?.ponged();
  }

  /**
   * @internal Heartbeat hook, at a deadline with no sign of life: how much longer the ping sent at `sentAt` may still
   * be on its way, because it waits behind data sent before it (0: it is late). The rule is {@link Liveness}'s.
   */
  extend(sentAt: number): number {
    const liveness = this.liveness;
    if (liveness === undefined) return 0;
    const { timeout, stallTimeout } = this.core.config.heartbeat!;
    return liveness.extend(sentAt, this.core.scheduler.now(), timeout, stallTimeout);
  }

  /** @internal Heartbeat hook: the peer is presumed dead: abort the socket rather than wait for a closing handshake. */
  onTimeout(error: HeartbeatTimeoutError): void {
    this.core.telemetry.emit({ type: 'heartbeat-timeout', timeout: error.timeout });
    try {
      this.conn.frames.error(error);
    } catch {
      // The socket may already be gone; the error below ends the attempt either way.
    }
    this.fail(error);
  }

  /** @internal Heartbeat hook: a round-trip time. */
  onRtt(rtt: number): void {
    this.core.telemetry.emit({ type: 'rtt', rtt });
  }

  /** @internal Heartbeat hook: a ping that could not be made (an application ping that threw): reported, and the connection is failed with it. */
  onError(error: unknown): void {
    this.core.telemetry.userError('heartbeat.ping', error);
    this.fail(error);
  }
}
