import { Observable, Observer, Subject } from 'rxjs';
import { InvalidOptionsError } from '../errors';
import type { SocketConfig } from './config';
import { encodeFrame } from './codec';
import type { ProtocolEngine, SocketCore } from './core';
import { ENGINE, EngineFactory } from './core';
import type { SocketEvent } from './events';
import { LinkState } from './link-state';
import type { DropReason, OutboxEntry } from './outbox';
import type { RequestOptions } from './requests';
import { Session } from './session';
import type { SocketState } from './state';
import { Telemetry } from './telemetry';
import { Receipt } from './receipt';
import { WriteQueue } from './write-queue';

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
 * value. Piped values never throw into the source: a value `send()` would
 * refuse is reported on `events$` as `dropped` (reason `'refused'`, with the
 * error), and an error of the source as `source-error`; neither closes the
 * socket, nor does the source completing.
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
   * waits before it (channel messages, requests to resend, the outbox),
   * otherwise queued in the outbox and written in order. Throws `CodecError`
   * when the message cannot be encoded, `OutboxFullError` when the outbox is
   * full (overflow `'error'`), and `SocketClosedError` after `close()`.
   */
  send(message: Out, options?: SendOptions): void;
  /**
   * Sends a message as `send()` does (and throws what it throws), and
   * returns its receipt: an Observable that completes once the message has
   * been written to an open socket, or errors with `MessageDroppedError`
   * (`reason`: `overflow`, `expired` or `closed`) when it is dropped first.
   * It is settled once, and a late subscriber gets the outcome at once. As
   * with `send()`, a message written to a connection that died before it
   * left the process is sent again on the next one (its receipt has
   * completed already). Under a protocol with acknowledgements, use
   * `request()`: its response is the receipt. Plain `send()` is untouched
   * and costs nothing extra.
   *
   * An Observable rather than a Promise: nobody has to look at a receipt,
   * and an unobserved Promise rejection would be reported (or end the
   * process); `firstValueFrom(receipt, { defaultValue: undefined })` turns
   * it into a Promise when you want one.
   */
  sendWithReceipt(message: Out, options?: SendOptions): Observable<void>;
  /**
   * An Observable of one topic's messages (what the protocol's `channelData`
   * gives; the whole message by default). Subscriptions are reference-counted
   * per topic and params: the first subscriber sends one subscribe message,
   * the last one leaving sends one unsubscribe, any number in between send
   * nothing. After every reconnect (and after authentication) each live
   * channel is subscribed again, before queued messages are flushed. A
   * subscribe error from the server errors that channel's subscribers only.
   * @param params - part of the channel's identity (as JSON with sorted keys), handed to the protocol's `subscribe`. @default undefined
   * @throws InvalidOptionsError for an empty topic, or params JSON cannot represent (a `BigInt`, a circular object).
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
   * "Reconnect now": while the socket waits to reconnect (`state$` is
   * `reconnecting`), ends the wait and dials at once; the attempt counts as
   * the one it replaces (its number, and the backoff after it). Returns
   * whether a wait was ended: `false`, doing nothing, while connecting,
   * open, closing, idle (a lazy socket with no consumer), and once `closed`.
   *
   * A `closed` socket is final (after `close()` or giving up): `messages$`
   * has completed or errored, as an Observable's end is final in RxJS, and a
   * new `connect()` is the way to start again (README: "Reconnect now"
   * shows the pattern for a service and for a pipeline). To keep trying
   * instead of giving up, configure `reconnect` (`maxAttempts`,
   * `maxElapsed`, the close policy).
   */
  retryNow(): boolean;
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

/**
 * @internal The Socket: a thin facade over its units (link state, session,
 * write queue, inbound, telemetry, and the protocol engine when an adapter
 * brought one). Users get it from `connect()`.
 */
export class RxnovaSocket<In, Out> implements Socket<In, Out>, SocketCore<In, Out> {
  readonly messages$: Observable<In>;
  readonly scheduler;
  readonly link = new LinkState();
  readonly telemetry;
  readonly queue: WriteQueue<Out, In>;
  readonly messages = new Subject<In>();
  readonly session: Session<In, Out>;
  readonly engine: ProtocolEngine<In, Out> | undefined;

  constructor(readonly config: SocketConfig<In, Out>) {
    const scheduler = (this.scheduler = config.scheduler);
    this.telemetry = new Telemetry(scheduler);
    this.queue = new WriteQueue<Out, In>(this);
    this.session = new Session<In, Out>(this);
    const factory = (config.protocol as { [ENGINE]?: EngineFactory } | undefined)?.[ENGINE];
    this.engine = factory === undefined ? undefined : factory<In, Out>(this);
    const subject = this.messages;
    if (config.lazy) {
      const session = this.session;
      this.messages$ = new Observable<In>((subscriber) => {
        const inner = subject.subscribe(subscriber);
        session.acquire();
        return () => {
          inner.unsubscribe();
          session.release();
        };
      });
    } else {
      this.messages$ = subject.asObservable();
      this.session.start();
    }
  }

  get state$(): Observable<SocketState> {
    return this.link;
  }

  get state(): SocketState {
    return this.link.state;
  }

  get events$(): Observable<SocketEvent> {
    return this.telemetry.events$;
  }

  get queued(): number {
    return this.queue.queued;
  }

  send(message: Out, options?: SendOptions): void {
    if (this.session.closeRequest !== undefined || this.link.ended) throw this.session.closedError('send()');
    this.queue.submit(message, encodeFrame(this.config.codec, message), undefined, options?.ttl);
  }

  sendWithReceipt(message: Out, options?: SendOptions): Observable<void> {
    if (this.session.closeRequest !== undefined || this.link.ended) throw this.session.closedError('sendWithReceipt()');
    const receipt = new Receipt();
    this.queue.submit(message, encodeFrame(this.config.codec, message), receipt, options?.ttl);
    return receipt;
  }

  /** A value of a piped source: sent; what `send()` would throw is reported instead (`dropped`, reason `'refused'`). */
  next(message: Out): void {
    try {
      this.send(message);
    } catch (error) {
      this.telemetry.emit({ type: 'dropped', reason: 'refused', message, bytes: 0, error });
    }
  }

  /** A piped source failed: reported (`source-error`); the socket stays as it is (other sources may still send). */
  error(error: unknown): void {
    this.telemetry.emit({ type: 'source-error', error });
  }

  /** A piped source completed: the socket stays as it is. */
  complete(): void {}

  channel<T = unknown>(topic: string, params?: unknown): Observable<T> {
    return this.protocolEngine('channel()').channel<T>(topic, params);
  }

  request<R = unknown>(message: Out, options: RequestOptions = {}): Observable<R> {
    return this.protocolEngine('request()').request<R>(message, options);
  }

  retryNow(): boolean {
    return this.session.retryNow();
  }

  close(code = 1000, reason = ''): void {
    this.session.close(code, reason);
  }

  private protocolEngine(operation: string): ProtocolEngine<In, Out> {
    if (this.engine !== undefined) return this.engine;
    throw new InvalidOptionsError(
      `${operation} needs a protocol adapter: use protocol: jsonRpc() or jsonTopics(), or wrap your own adapter in defineProtocol({ ... })`,
    );
  }

  /** @internal A message left the outbox unwritten: its sender is told (a request fails), and `events$` reports it. */
  reportDrop(entry: OutboxEntry<Out>, reason: DropReason): void {
    const ticket = entry.ticket;
    if (ticket !== undefined) {
      if (ticket.done) return; // its sender already had its answer (timeout or unsubscribe)
      ticket.dropped(reason);
    }
    this.telemetry.emit({ type: 'dropped', reason, message: entry.message, bytes: entry.bytes });
  }
}

