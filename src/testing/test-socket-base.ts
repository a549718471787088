/**
 * The state and records of a {@link TestSocket}, and the in-memory peer it
 * plays for the shared transport code: {@link ScriptedDriver} is the
 * `SocketDriver` that `SocketConnection` writes to and closes, and the
 * socket reports to its `SocketSession` exactly as `ws.ts` and
 * `web-socket.ts` report theirs. How a connection ends (complete or error,
 * `NotOpenError`, the handshake timeout) is decided there, not here.
 *
 * Not exported from any entry point (`TestSocket` is); its public members
 * are `TestSocket`'s, so its declarations are published.
 * @packageDocumentation
 */
import { Subscription } from 'rxjs';
import { InvalidOptionsError } from '../errors';
import { Frame, frameSize, utf8Length } from '../frame';
import type { SocketDriver, SocketSession } from '../transport/socket-connection';
import type { TestConnection } from './test-connection';
import type { TestSocket } from './test-socket';
import type { TestFrameRecord, TestSocketClosedBy, TestSocketReadyState, TestWriteHandler } from './test-socket-types';

const READY_STATES: Readonly<Record<TestSocketReadyState, number>> = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 };
const EMPTY = new Uint8Array(0);

/** The fields and getters of a test socket (see {@link TestSocket}), and its part of the transport contract. */
export abstract class TestSocketBase {
  /** Position in `transport.sockets` (0-based, over every connection of the transport). */
  readonly index: number;
  /** Position among the sockets of its connection (0 for the first subscription, 1 for the first resubscription...). */
  readonly attempt: number;
  /** The connection (the `open()` call) this socket belongs to. */
  readonly connection: TestConnection;
  /** `scheduler.now()` when `events` was subscribed. */
  readonly startedAt: number;
  /** The handshake timeout in force for this socket, in ms (0: none). */
  readonly handshakeTimeout: number;
  /** Every frame written to this socket through `frames.next()`, in order, with its time. */
  readonly written: readonly TestFrameRecord[] = [];
  /** Every frame event delivered by this socket, in order, with its time. */
  readonly received: readonly TestFrameRecord[] = [];

  /** @internal */ _readyState: TestSocketReadyState = 'CONNECTING';
  /** @internal */ _openedAt: number | undefined;
  /** @internal */ _protocol = '';
  /** @internal */ _extensions = '';
  /** @internal */ _closedBy: TestSocketClosedBy | undefined;
  /** @internal */ _closeCode: number | undefined;
  /** @internal */ _closeReason: string | undefined;
  /** @internal */ _wasClean: boolean | undefined;
  /** @internal */ _error: unknown;
  /** @internal */ _bufferedAmount = 0;
  /** @internal */ _stalled = false;
  /** @internal Frames written while stalled, not yet drained. */ _held = 0;
  /** @internal */ _silent = false;
  /** @internal */ _autoPong: boolean;
  /** @internal */ _pongLatency = 0;
  /** @internal */ _closeAnswer: number | 'never' = 0;
  /** @internal */ _onWrite: TestWriteHandler | undefined;
  private _closingAt: number | undefined;
  private _closedAt: number | undefined;
  /** The session of the subscription this socket belongs to. */
  /** @internal */
  protected readonly _session: SocketSession;
  /** Pending scheduled steps; cancelled when the socket ends. */
  private readonly _pending = new Subscription();

  /** @internal Made by the connection's dial, one per subscription of `events`. */
  constructor(connection: TestConnection, session: SocketSession, index: number, attempt: number, autoPong: boolean) {
    this.connection = connection;
    this._session = session;
    this.index = index;
    this.attempt = attempt;
    this._autoPong = autoPong;
    this.handshakeTimeout = connection.handshakeTimeout;
    this.startedAt = connection.scheduler.now();
  }

  /** The normalised URL of the request. */
  get url(): string {
    return this.connection.url;
  }
  /** The subprotocols the request offered. */
  get protocols(): readonly string[] {
    return this.connection.protocols;
  }
  /** The upgrade headers the request sent. */
  get headers(): Readonly<Record<string, string>> {
    return this.connection.headers;
  }
  /** `CONNECTING`, then `OPEN`, `CLOSING` (this side sent a close frame), `CLOSED`. */
  get readyState(): TestSocketReadyState {
    return this._readyState;
  }
  /** When the socket opened, or `undefined` if it has not (yet). */
  get openedAt(): number | undefined {
    return this._openedAt;
  }
  /** When this side started the closing handshake, or `undefined`. */
  get closingAt(): number | undefined {
    return this._closingAt;
  }
  /** When the socket became `CLOSED`, or `undefined` while it lives. */
  get closedAt(): number | undefined {
    return this._closedAt;
  }
  /** The subprotocol the server chose (`''` before open or when none). */
  get protocol(): string {
    return this._protocol;
  }
  /** The extensions the server chose (`''` before open or when none). */
  get extensions(): string {
    return this._extensions;
  }
  /** Who ended the socket, or `undefined` while it lives. */
  get closedBy(): TestSocketClosedBy | undefined {
    return this._closedBy;
  }
  /**
   * The code of the close event; for a socket this side closed or
   * unsubscribed while no close event came yet, the code it sent (1000 on
   * unsubscription). `undefined` for a socket that never opened.
   */
  get closeCode(): number | undefined {
    return this._closeCode;
  }
  /** The reason of the close event (or of the close this side sent), like `closeCode`. */
  get closeReason(): string | undefined {
    return this._closeReason;
  }
  /** `wasClean` of the close event, or `undefined` when there was none. */
  get wasClean(): boolean | undefined {
    return this._wasClean;
  }
  /** The error `events` ended with for this socket, or `undefined` (still open, completed, or unsubscribed). */
  get error(): unknown {
    return this._error;
  }
  /** The fake `bufferedAmount` reported by `state()` while this is the current socket. */
  get bufferedAmount(): number {
    return this._bufferedAmount;
  }
  /** The text of every text frame written, in order: a shortcut for assertions. */
  get writtenTexts(): string[] {
    const texts: string[] = [];
    for (const { frame } of this.written) if (frame.type === 'text') texts.push(frame.data);
    return texts;
  }

  // ------------------------------------------------------- driver (internal)

  /** @internal A frame `frames.next()` wrote (already validated, the socket OPEN). */
  _written(frame: Frame): void {
    const record: TestFrameRecord = { time: this._now(), frame };
    (this.written as TestFrameRecord[]).push(record);
    this.connection.transport._recordWrite(this as unknown as TestSocket, record);
    if (frame.type !== 'close') {
      // A stalled link holds what is written (it has not left: see `TransportConnection.written`) until drain().
      if (this._stalled) {
        this._bufferedAmount += frameSize(frame);
        this._held++;
      } else this._session.written++;
    }
    if (frame.type === 'close' || this._silent) return;
    if (frame.type === 'ping' && this._autoPong) {
      const pong: Frame = frame.data === undefined ? { type: 'pong' } : { type: 'pong', data: frame.data };
      this._schedule(this._pongLatency, () => {
        // Stryker disable next-line ConditionalExpression: equivalent as `true` (the other ways are killed), a socket that ends cancels its pending steps, so a due pong finds it OPEN or CLOSING
        if (this._readyState === 'OPEN' || this._readyState === 'CLOSING') this._deliver(pong);
      });
    }
    if (this._onWrite !== undefined) this._onWrite(frame, this as unknown as TestSocket);
  }

  /**
   * @internal This side starts the closing handshake (a close frame, or the
   * session's close for `frames.complete()` and `frames.error()`): the
   * socket is `CLOSING` until the server answers (see `slowClose()`).
   */
  _clientClose(code: number | undefined, reason: string | undefined): void {
    // Stryker disable next-line ConditionalExpression: equivalent as `false` (the other way is killed), the shared connection code calls the driver's close only while it is OPEN
    if (this._readyState !== 'OPEN') return;
    this._readyState = 'CLOSING';
    this._closingAt = this._now();
    this._closedBy = 'client';
    this._closeCode = code;
    this._closeReason = reason ?? '';
    const answer = this._closeAnswer;
    if (this._silent || answer === 'never') return;
    // Stryker disable next-line StringLiteral: equivalent for 'peer' (the '' is killed), closedBy is already 'client' here and `_finish` keeps it
    this._schedule(answer, () => this._finish(code ?? 1005, reason ?? '', true, 'peer'));
  }

  /** @internal The subscription ended while the socket was open: the close with 1000 that follows an unsubscription. */
  _unsubscribed(): void {
    if (this._readyState === 'CLOSED') return;
    if (this._readyState === 'OPEN') {
      this._closeCode = 1000;
      this._closeReason = '';
    }
    this._closedBy ??= 'unsubscribe';
    this._end();
  }

  /** @internal The session aborts the socket (connecting, or closing and no longer waiting for the answer). */
  _aborted(): void {
    if (this._readyState === 'CLOSED') return;
    this._closedBy ??= this._session.closeRequested ? 'client' : 'unsubscribe';
    this._end();
  }

  /** @internal How `events` ended for this socket (recorded before the teardown runs). */
  _ended(hasError: boolean, error: unknown, timedOut: boolean): void {
    // Stryker disable next-line ConditionalExpression: equivalent as `true` (the other way is killed), events completes only with no error value
    if (hasError) this._error = error;
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent for the inner `&&` (the outer one is killed), any other end of a socket not closed by this side has set closedBy first
    if (timedOut && this._readyState === 'CONNECTING' && !this._session.closeRequested) this._closedBy ??= 'timeout';
  }

  /** @internal The script threw: the socket ends (closed by the peer) and `events` errors with what it threw. */
  _scriptFailed(error: unknown): void {
    if (this._readyState === 'CLOSED') throw error;
    this._fail(error, 'peer');
  }

  /** @internal */
  _now(): number {
    return this.connection.scheduler.now();
  }

  /** @internal Runs `work` now (no `after`) or schedules it; scheduled work is cancelled when the socket ends. */
  _step(name: string, after: number | undefined, work: () => void): this {
    if (after === undefined) {
      work();
      return this;
    }
    checkDelay(after, `TestSocket #${this.index}.${name}() after`);
    if (this._readyState === 'CLOSED') {
      throw new InvalidOptionsError(`TestSocket #${this.index}.${name}(): the socket is already CLOSED (closed by ${this._closedBy})`);
    }
    this._schedule(after, work);
    return this;
  }

  private _schedule(delay: number, work: () => void): void {
    let action: Subscription | undefined;
    let done = false;
    action = this.connection.scheduler.schedule(() => {
      done = true;
      if (action !== undefined) this._pending.remove(action);
      work();
    }, delay);
    // A scheduler that runs work synchronously (queueScheduler) has already run it.
    if (!done) this._pending.add(action);
  }

  /** @internal */
  _expect(name: string, ...states: TestSocketReadyState[]): void {
    if (!states.includes(this._readyState)) {
      throw new InvalidOptionsError(
        `TestSocket #${this.index}.${name}() needs a socket in ${states.join(' or ')}, but it is ${this._readyState}` +
          (this._closedBy ? ` (closed by ${this._closedBy})` : ''),
      );
    }
  }

  /** @internal The server's frame reaches this side. */
  _deliver(frame: Frame): void {
    this._expect('receive', 'OPEN', 'CLOSING');
    const record: TestFrameRecord = { time: this._now(), frame };
    (this.received as TestFrameRecord[]).push(record);
    const session = this._session;
    switch (frame.type) {
      case 'text':
        session.onText(frame.data, utf8Length(frame.data));
        break;
      case 'binary':
        session.onBinary(frame.data);
        break;
      case 'ping':
        session.onPing(frame.data ?? EMPTY);
        break;
      case 'pong':
        session.onPong(frame.data ?? EMPTY);
        break;
    }
  }

  /** @internal Ends a socket that never opened: `events` errors with `error`, no close event. */
  _fail(error: unknown, by: TestSocketClosedBy): void {
    this._closedBy ??= by;
    this._end();
    this._session.fail(error);
  }

  /** @internal Ends an open or closing socket: the session emits the close event, then completes or errors. */
  _finish(code: number, reason: string, wasClean: boolean, by: TestSocketClosedBy): void {
    this._closedBy ??= by;
    this._closeCode = code;
    this._closeReason = reason;
    this._wasClean = wasClean;
    // A completed closing handshake: what was written before the close frame has left (and arrived).
    if (wasClean) this._releaseHeld();
    this._end();
    this._session.onClose(code, reason, wasClean);
  }

  /** @internal What a stall held has left: the connection's `written()` counts it now. */
  private _releaseHeld(): void {
    this._session.written += this._held;
    this._held = 0;
  }

  /** @internal The buffered amount may have fallen: wake `drained()` waiters. */
  _bufferedChanged(): void {
    if (this._bufferedAmount === 0) this._releaseHeld();
    this._session.drainWaiters?.check(this._bufferedAmount);
  }

  private _end(): void {
    this._readyState = 'CLOSED';
    this._closedAt = this._now();
    this._pending.unsubscribe();
  }
}

/**
 * The `SocketDriver` of a test socket: how `SocketConnection` writes to it
 * and how `SocketSession` closes and aborts it.
 * @internal
 */
export class ScriptedDriver implements SocketDriver {
  constructor(
    readonly socket: TestSocketBase,
    private readonly session: SocketSession,
  ) {}

  get readyState(): number {
    return READY_STATES[this.socket._readyState];
  }

  get bufferedAmount(): number {
    return this.socket._bufferedAmount;
  }

  sendText(data: string): number {
    this.socket._written({ type: 'text', data });
    return utf8Length(data);
  }

  sendBinary(data: Uint8Array): void {
    this.socket._written({ type: 'binary', data });
  }

  sendPing(data: Uint8Array | undefined): void {
    this.socket._written(data === undefined ? { type: 'ping' } : { type: 'ping', data });
  }

  sendPong(data: Uint8Array | undefined): void {
    this.socket._written(data === undefined ? { type: 'pong' } : { type: 'pong', data });
  }

  close(code: number | undefined, reason: string | undefined): void {
    const session = this.session;
    if (session.done) {
      // The teardown of an unsubscribed open socket.
      this.socket._unsubscribed();
      return;
    }
    if (!session.closeRequested) {
      // A close frame written through `frames.next()` (the session marks the close as requested after this call).
      const frame: Frame =
        code === undefined ? { type: 'close' } : reason === undefined ? { type: 'close', code } : { type: 'close', code, reason };
      this.socket._written(frame);
    }
    this.socket._clientClose(code, reason);
  }

  abort(): void {
    this.socket._aborted();
  }
}

/** Checks a delay of a scripted step. @internal */
export function checkDelay(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionsError(`${what} must be a finite number of milliseconds >= 0, got ${String(value)}`);
  }
}
