import { Observable, Subscription } from 'rxjs';
import { NotOpenError } from '../errors';
import type { Frame } from '../frame';
import { utf8Length } from '../frame';
import type { TransportConnection } from '../transport/transport';
import type { SocketCore } from './core';
import { DropReason, Outbox, OutboxEntry, Ticket } from './outbox';
import type { SentLog } from './sent-log';
import { scheduleIn } from './timers';
import { checkDuration } from '../time';

/** The attempt a queue writes for: its `work` owns the queue's timers; its `log` (when the transport counts what left) records what is written. */
export interface QueueOwner<Out> {
  readonly work: Subscription;
  /** The log of the connection's writes (made on first use); `undefined` when the transport cannot tell what left. */
  logged(): SentLog<Out> | undefined;
  /** Whether the transport can tell what left (so entries are worth making for the log). */
  readonly log: SentLog<Out> | null | undefined;
}

/** A text or binary frame: what the queue writes. */
export type DataFrame = Frame & { type: 'text' | 'binary' };

/** Bytes written between two reads of the socket's buffered amount. */
const BACKPRESSURE_CHECK_BYTES = 64 * 1024;


/** The control lane's messages belong to the socket, not to a caller: leaving unwritten is no loss to report. */
function forget(entry: OutboxEntry<unknown>, reason: DropReason): void {
  // Stryker disable next-line OptionalChaining: equivalent, the control lane's entries always carry a ticket (pushControl takes one)
  entry.ticket?.dropped(reason);
}

/** @internal The payload size of a data frame, text counted as UTF-8. */
export function sizeOf(frame: DataFrame): number {
  return frame.type === 'text' ? utf8Length(frame.data) : frame.data.byteLength;
}

/**
 * @internal Every write of the socket's messages goes through here, in one
 * order: the control lane (the socket's own channel subscribes and
 * unsubscribes, which belong to the current connection), then the outbox (in
 * flight requests to resend at its front, then what `send()` and `request()`
 * accepted). One `drain()` applies the rate limit and backpressure to both;
 * `submit()` writes at once only when both lanes are empty, so a new message
 * can never overtake a waiting one.
 *
 * It may write only while attached to an open, authenticated connection
 * ({@link attach}); every timer it starts (rate-limit wait, backpressure
 * wait) belongs to that connection's subscription.
 */
export class WriteQueue<Out, In = unknown> {
  private conn: TransportConnection | undefined = undefined;
  /** The attempt of the attached connection: its `work` owns the queue's timers. */
  private owner: QueueOwner<Out> | undefined = undefined;
  // Stryker disable next-line BooleanLiteral: equivalent, attach() sets it before anything can be written
  private paused = false;
  private sinceCheck = 0;
  private rateWait: Subscription | undefined = undefined;
  private draining = false;
  /** The control lane, made on first use (only protocols with channels need it: see {@link pushControl}). */
  control: Outbox<Out> | undefined = undefined;
  /** The outbox, made when a message first has to wait. */
  private box: Outbox<Out> | undefined = undefined;

  /** The socket's config, scheduler and telemetry; it reports drops through `core.reportDrop` and fails the current attempt on a transport fault. */
  constructor(readonly core: SocketCore<In, Out>) {}

  /** How many messages wait in the outbox. */
  get queued(): number {
    return this.box === undefined ? 0 : this.box.size;
  }

  /** The one rule of when a message may be written: attached to an open connection, and not paused by backpressure. */
  private get writable(): boolean {
    return this.conn !== undefined && !this.paused;
  }

  get outbox(): Outbox<Out> {
    const core = this.core;
    return (this.box ??= new Outbox<Out>(core.config.outbox, core.scheduler, (entry, reason) => core.reportDrop(entry, reason)));
  }

  /** The connection is open (and authenticated): write to it, with timers owned by `owner`. What the control lane held was for an earlier connection: forgotten. */
  attach(conn: TransportConnection, owner: QueueOwner<Out>): void {
    this.conn = conn;
    this.owner = owner;
    this.paused = false;
    this.sinceCheck = 0;
    // Stryker disable next-line StringLiteral: equivalent, the control lane's tickets are forgotten whatever the reason
    this.control?.clear('closed');
  }

  /** The connection is gone: stop writing. */
  detach(): void {
    this.conn = undefined;
    this.paused = false;
    this.rateWait?.unsubscribe();
    this.rateWait = undefined;
    this.owner = undefined;
  }

  /**
   * Sends a message: written at once when writable, nothing waits and a
   * token is free; otherwise queued in the outbox (which may throw
   * `OutboxFullError`). The rate-limit cost is computed here, once.
   */
  submit(message: Out, frame: DataFrame, ticket?: Ticket, ttl?: number): void {
    // Checked whichever way the message goes (the outbox checks it too, but a message written at once never gets there).
    if (ttl !== undefined) checkDuration('send() options.ttl', ttl, { infinity: true });
    const limiter = this.core.config.limiter;
    const cost = limiter === undefined ? 0 : limiter.cost(message);
    if (this.writable && (this.box === undefined || this.box.size === 0) && (this.control === undefined || this.control.size === 0)) {
      if (limiter === undefined || limiter.tryTake(cost)) {
        // What to send again if it never leaves: plain messages and receipts (already told it was written), not requests.
        const again = (ticket === undefined || ticket.requeue === true) && this.owner!.log !== null;
        if (this.write(frame, again ? this.entryOf(message, frame, cost, ttl) : null)) {
          ticket?.sent();
          return;
        }
        limiter?.refund(cost);
      } else this.waitForTokens(cost);
    }
    this.outbox.push(message, frame, sizeOf(frame), ttl, ticket, cost);
    if (this.writable && this.rateWait === undefined) this.drain();
  }

  /** Writes what waits, lane by lane, while writable and the rate limit allows. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      const limiter = this.core.config.limiter;
      while (this.writable) {
        const control = this.control;
        const lane = control !== undefined && control.size > 0 ? control : this.box;
        const entry = lane?.peek();
        if (lane === undefined || entry === undefined) return;
        const ticket = entry.ticket;
        if (ticket !== undefined && ticket.done) {
          lane.pop();
          continue;
        }
        const cost = entry.cost ?? 0;
        if (limiter !== undefined && !limiter.tryTake(cost)) {
          this.waitForTokens(cost);
          return;
        }
        lane.pop();
        if (!this.write(entry.frame as DataFrame, ticket === undefined ? entry : ticket.requeue === true ? { ...entry, ticket: undefined } : null)) {
          lane.unshift(entry);
          limiter?.refund(cost);
          return;
        }
        ticket?.sent();
      }
    } finally {
      this.draining = false;
    }
  }

  /** The socket ended: every waiting message is reported dropped (reason `closed`), oldest first; no timer is left. */
  clear(): void {
    // Stryker disable next-line CallExpression: equivalent, every way to the socket's end has detached the queue already
    this.detach();
    // Stryker disable next-line StringLiteral: equivalent, the control lane's tickets are forgotten whatever the reason
    this.control?.clear('closed');
    this.box?.clear('closed');
    this.box?.dispose();
  }

  /**
   * A message written at once, as the entry to send again should it never leave the process (its size in bytes is
   * counted only then: {@link handBack}).
   */
  private entryOf(message: Out, frame: DataFrame, cost: number, ttl: number | undefined): OutboxEntry<Out> {
    const life = ttl ?? this.core.config.outbox.ttl;
    return { message, frame, cost, bytes: -1, expiresAt: life === Infinity ? Infinity : this.core.scheduler.now() + life };
  }

  /**
   * Writes one frame to the attached connection; false when the transport says it is not open (then detached).
   * `entry` is what to send again if the frame never leaves the process (`null`: it belongs to the connection).
   */
  private write(frame: DataFrame, entry: OutboxEntry<Out> | null): boolean {
    const conn = this.conn!;
    try {
      conn.frames.next(frame);
    } catch (error) {
      this.detach();
      // Anything but NotOpenError is a transport fault: the connection is failed with it.
      // Stryker disable next-line OptionalChaining: equivalent, the queue is attached only while its attempt is the current one
      if (!(error instanceof NotOpenError)) this.core.session.current?.fail(error);
      return false;
    }
    const log = this.owner?.logged();
    log?.add(entry);
    const size = frame.type === 'text' ? frame.data.length : frame.data.byteLength;
    const { telemetry, config } = this.core;
    if (telemetry.observed) telemetry.emit({ type: 'sent', kind: frame.type, bytes: sizeOf(frame) });
    this.sinceCheck += size;
    if (this.sinceCheck >= BACKPRESSURE_CHECK_BYTES) {
      this.sinceCheck = 0;
      // Stryker disable next-line MethodExpression: equivalent, trimming only bounds the log's memory (seal() trims before unsent())
      log?.trim();
      const buffered = conn.state().bufferedAmount;
      if (buffered > config.highWaterMark) this.pause(conn, buffered);
    }
    return true;
  }

  /** Stops writing until the socket's buffer drains below the high-water mark. */
  private pause(conn: TransportConnection, buffered: number): void {
    const { config, telemetry } = this.core;
    const highWaterMark = config.highWaterMark;
    this.paused = true;
    telemetry.emit({ type: 'backpressure', paused: true, bufferedAmount: buffered });
    const wait = new Subscription();
    const owner = this.owner!.work;
    owner.add(wait);
    // `drained()` (or the poll) completes once the socket's buffer is at or below the mark.
    wait.add(
      (conn.drained?.(highWaterMark) ?? this.poll(conn)).subscribe({
        complete: () => {
          // Stryker disable next-line CallExpression: equivalent, memory only (the attempt's work would hold a finished wait until it ends)
          owner.remove(wait);
          // Stryker disable next-line CallExpression: equivalent, the wait's only subscription has completed already
          wait.unsubscribe();
          // Stryker disable next-line ConditionalExpression: equivalent as `false` (the other way is killed), the wait belongs to the attempt's work, torn down whenever the queue leaves its connection
          if (this.conn !== conn) return;
          this.paused = false;
          // Stryker disable next-line ConditionalExpression: equivalent as `true` (the other way is killed), emit() drops an event nobody observes; the guard saves reading the state
          if (telemetry.observed) telemetry.emit({ type: 'backpressure', paused: false, bufferedAmount: conn.state().bufferedAmount });
          this.drain();
        },
      }),
    );
  }

  /** For transports with no drain signal: the buffered amount, read on the scheduler until it is low enough (then complete). */
  private poll(conn: TransportConnection): Observable<never> {
    const { scheduler, config } = this.core;
    const { pollInterval, highWaterMark } = config;
    return new Observable<never>((subscriber) => {
      const owner = new Subscription();
      const check = (): void => {
        if (conn.state().bufferedAmount <= highWaterMark) subscriber.complete();
        else scheduleIn(owner, scheduler, pollInterval, check);
      };
      scheduleIn(owner, scheduler, pollInterval, check);
      return owner;
    });
  }

  private waitForTokens(cost: number): void {
    if (this.rateWait !== undefined || this.owner === undefined) return;
    this.rateWait = scheduleIn(this.owner.work, this.core.scheduler, this.core.config.limiter!.waitFor(cost), () => {
      this.rateWait = undefined;
      this.drain();
    });
  }
}

/**
 * @internal Queues one of the socket's own messages in the control lane (no ttl; bounded by the outbox's
 * `maxMessages`, then `OutboxFullError`). A function, not a method: only the protocol engine uses it.
 */
export function pushControl<Out, In>(queue: WriteQueue<Out, In>, message: Out, frame: DataFrame, ticket: Ticket, drain: boolean): void {
  const { config, scheduler } = queue.core;
  const limiter = config.limiter;
  const cost = limiter === undefined ? 0 : limiter.cost(message);
  const { maxMessages, maxBytes } = config.outbox;
  (queue.control ??= new Outbox<Out>({ maxMessages, maxBytes, overflow: 'error' }, scheduler, forget)).push(
    message,
    frame,
    sizeOf(frame),
    undefined,
    ticket,
    cost,
  );
  if (drain) queue.drain();
}

/**
 * @internal What the ended connection never handed to the operating system goes back to the front of the outbox,
 * in order, to be sent on the next connection (or reported dropped if the socket closes instead).
 */
export function handBack<Out, In>(queue: WriteQueue<Out, In>, entries: OutboxEntry<Out>[]): void {
  if (entries.length === 0) return;
  queue.core.telemetry.emit({ type: 'requeued', count: entries.length });
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent as `true` or `<=` (the other way is killed), an entry with a size has sizeOf(frame) already
    if (entry.bytes < 0) entries[i] = { ...entry, bytes: sizeOf(entry.frame as DataFrame) };
  }
  unshiftAll(queue, entries);
}

/** @internal Puts messages back at the front of the outbox, in order (in-flight requests to send again; only the protocol engine has them). */
export function unshiftAll<Out, In>(queue: WriteQueue<Out, In>, entries: readonly OutboxEntry<Out>[]): void {
  // Stryker disable next-line ConditionalExpression: equivalent as `false` (the other way is killed), with nothing to put back it only makes the outbox earlier
  if (entries.length === 0) return;
  const box = queue.outbox;
  for (let i = entries.length - 1; i >= 0; i--) box.unshift(entries[i]!);
}
