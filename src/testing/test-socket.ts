import { Subscriber, Subscription } from 'rxjs';
import {
  ConnectError,
  ConnectionClosedError,
  ConnectTimeoutError,
  HandshakeError,
  InvalidOptionsError,
  NotOpenError,
  UnsupportedFrameError,
} from '../errors';
import { Frame, binaryFrame, frameSize, textFrame, validateFrame } from '../frame';
import type { ReadyState, TransportEvent } from '../transport/transport';
import { parseSocketMarbles } from './socket-marbles';
import type { TestConnection } from './test-transport';

/** The ready state of one test socket (a socket always exists, so never `NONE`). */
export type TestSocketReadyState = Exclude<ReadyState, 'NONE'>;

/**
 * Who ended a test socket:
 * - `'client'`: this side, with `frames.complete()`, `frames.error()` or a sent close frame;
 * - `'unsubscribe'`: this side, by unsubscribing from `events`;
 * - `'peer'`: the scripted server, with `close()` or `failHandshake()`;
 * - `'network'`: `drop()` or `refuse()`;
 * - `'timeout'`: the handshake timeout elapsed.
 */
export type TestSocketClosedBy = 'client' | 'unsubscribe' | 'peer' | 'network' | 'timeout';

/** A frame written or received, with the scheduler time (virtual in marble tests) it happened at. */
export interface TestFrameRecord {
  /** `scheduler.now()` when the frame was written or delivered. */
  readonly time: number;
  /** The frame. */
  readonly frame: Frame;
}

/** When a scripted step happens. */
export interface TestTiming {
  /**
   * Milliseconds from the call (not from the previous step) on the
   * transport's scheduler; 0 means later in the current virtual frame, like a
   * real socket's event. Without it the step happens at once, synchronously.
   * @default undefined (at once)
   */
  readonly after?: number;
}

/** Options of {@link TestSocket.open}. */
export interface TestOpenOptions extends TestTiming {
  /**
   * The subprotocol the server chooses; must be one the request offered.
   * @default ''
   */
  readonly protocol?: string;
  /**
   * The extensions the server chooses.
   * @default ''
   */
  readonly extensions?: string;
}

/** Options of {@link TestSocket.close}. */
export interface TestCloseOptions extends TestTiming {
  /**
   * Whether the closing handshake completed.
   * @default true
   */
  readonly wasClean?: boolean;
}

/** Options of {@link TestSocket.refuse}. */
export interface TestRefuseOptions extends TestTiming {
  /**
   * The runtime error code of the `ConnectError`'s cause, e.g. `'ENOTFOUND'`
   * or `'CERT_HAS_EXPIRED'` to exercise a close policy.
   * @default 'ECONNREFUSED'
   */
  readonly causeCode?: string;
}

/**
 * One step of a socket diagram ({@link TestSocket.play}): a string arrives as
 * a text frame, a `Uint8Array` as a binary frame, a frame as itself (a close
 * frame is a peer close), and a function is called with the socket.
 */
export type TestSocketStep = string | Uint8Array | Frame | ((socket: TestSocket) => void);

/** A server's reaction to each frame this side writes (see {@link TestSocket.onWrite}). */
export type TestWriteHandler = (frame: Frame, socket: TestSocket) => void;

/**
 * What a socket needs from its connection.
 * @internal
 */
export interface TestSocketHost {
  readonly connection: TestConnection;
  frameWritten(socket: TestSocket, record: TestFrameRecord): void;
  frameReceived(socket: TestSocket, record: TestFrameRecord): void;
  socketEnded(socket: TestSocket): void;
}

/** @internal Everything a socket is created with. */
export interface TestSocketInit {
  readonly host: TestSocketHost;
  readonly subscriber: Subscriber<TransportEvent>;
  readonly index: number;
  readonly attempt: number;
  readonly autoPong: boolean;
}

/**
 * One socket of a {@link TestTransport}: made by each subscription of a
 * connection's `events`, and driven by the test in (virtual) time, as the
 * server and the network would drive a real one. Every method returns the
 * socket, so steps chain: `socket.open({ after: 5 }).receive('hi', { after: 8 })`
 * (each `after` counts from the call). Steps still pending when the socket
 * ends are cancelled.
 *
 * Its fields record what happened, for assertions: `startedAt`, `openedAt`,
 * `closedAt`, `written`, `received`, `closedBy`, `closeCode`, `error`.
 */
export class TestSocket {
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

  private _readyState: TestSocketReadyState = 'CONNECTING';
  private _openedAt: number | undefined;
  private _closingAt: number | undefined;
  private _closedAt: number | undefined;
  private _protocol = '';
  private _extensions = '';
  private _closedBy: TestSocketClosedBy | undefined;
  private _closeCode: number | undefined;
  private _closeReason: string | undefined;
  private _wasClean: boolean | undefined;
  private _error: unknown;
  private _bufferedAmount = 0;
  private _stalled = false;
  private _silent = false;
  private _autoPong: boolean;
  private _pongLatency = 0;
  private _closeAnswer: number | 'never' = 0;
  private _onWrite: TestWriteHandler | undefined;
  private _hasFailure = false;
  private _failure: unknown;
  private readonly _host: TestSocketHost;
  private readonly _subscriber: Subscriber<TransportEvent>;
  /** The pending handshake timeout, cancelled on open. */
  private _timeout: Subscription | undefined;
  /** Pending scheduled steps; cancelled when the socket ends. */
  private readonly _pending = new Subscription();

  /** @internal Made by `TestConnection` for each subscription of `events`. */
  constructor(init: TestSocketInit) {
    this._host = init.host;
    this._subscriber = init.subscriber;
    this.index = init.index;
    this.attempt = init.attempt;
    this._autoPong = init.autoPong;
    this.connection = init.host.connection;
    this.handshakeTimeout = this.connection.handshakeTimeout;
    this.startedAt = this.connection.transport.scheduler.now();
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

  // ---------------------------------------------------------------- handshake

  /**
   * Completes the opening handshake: `events` emits `{type:'open', protocol, extensions}`.
   * Only a `CONNECTING` socket can open.
   */
  open(options: TestOpenOptions = {}): this {
    const { protocol = '', extensions = '', after } = options;
    if (protocol !== '' && !this.protocols.includes(protocol)) {
      throw new InvalidOptionsError(
        `TestSocket #${this.index}.open(): protocol ${JSON.stringify(protocol)} was not offered (offered: ${JSON.stringify(this.protocols)})`,
      );
    }
    return this._step('open', after, () => {
      this._expect('open', 'CONNECTING');
      this._readyState = 'OPEN';
      this._openedAt = this._now();
      if (this._timeout !== undefined) {
        this._pending.remove(this._timeout);
        this._timeout.unsubscribe();
        this._timeout = undefined;
      }
      this._protocol = protocol;
      this._extensions = extensions;
      this._subscriber.next({ type: 'open', protocol, extensions });
    });
  }

  /**
   * Answers the opening handshake with an HTTP status other than 101:
   * `events` errors with `HandshakeError(status, headers)` (header names in
   * lower case). Only a `CONNECTING` socket can fail its handshake.
   */
  failHandshake(status: number, headers: Readonly<Record<string, string>> = {}, timing: TestTiming = {}): this {
    if (!Number.isInteger(status) || status < 0 || status > 599 || status === 101) {
      throw new InvalidOptionsError(`TestSocket #${this.index}.failHandshake(): status must be 0 or an HTTP status 100-599 other than 101, got ${status}`);
    }
    const lower: Record<string, string> = {};
    for (const name of Object.keys(headers)) lower[name.toLowerCase()] = headers[name];
    return this._step('failHandshake', timing.after, () => {
      this._expect('failHandshake', 'CONNECTING');
      this._fail(new HandshakeError(status, lower), 'peer');
    });
  }

  /**
   * Refuses the connection: `events` errors with a `ConnectError` whose
   * `causeCode` is `'ECONNREFUSED'` (or `options.causeCode`). Only a
   * `CONNECTING` socket can be refused.
   */
  refuse(options: TestRefuseOptions = {}): this {
    const { causeCode = 'ECONNREFUSED', after } = options;
    return this._step('refuse', after, () => {
      this._expect('refuse', 'CONNECTING');
      this._fail(new ConnectError(this.url, this._cause(causeCode)), 'network');
    });
  }

  // ----------------------------------------------------------------- traffic

  /**
   * The server sends a frame: a string is a text frame, a `Uint8Array` a
   * binary frame. `events` emits `{type:'frame', frame}`. A close frame is a
   * peer close (see {@link close}). The socket must be `OPEN` or `CLOSING`.
   */
  receive(data: string | Uint8Array | Frame, timing: TestTiming = {}): this {
    const frame = toFrame(data);
    validateFrame(frame);
    if (frame.type === 'close') return this.close(frame.code ?? 1005, frame.reason ?? '', timing);
    if ((frame.type === 'ping' || frame.type === 'pong') && !this.connection.transport.capabilities.ping) {
      throw new UnsupportedFrameError(
        frame.type,
        `TestSocket #${this.index}.receive(): this TestTransport has capabilities.ping false, and such a transport never reports ping or pong frames`,
      );
    }
    return this._step('receive', timing.after, () => this._deliver(frame));
  }

  /**
   * Plays a socket diagram from now, 1 ms per character (the syntax of
   * `TestScheduler.run()`; see below). A character is looked up in `values`
   * (see {@link TestSocketStep}); one that is not there means: `o` opens the
   * socket, `|` is a peer close 1000, `#` drops the connection, and any other
   * character arrives as a text frame holding that character.
   *
   * ```
   * socket.play('--o-a-(bc)-|')   // opens at 2, texts "a" at 4, "b" and "c" at 6, peer close 1000 at 11
   * socket.play('10ms o 1s #')    // opens at 10, drops at 1011
   * ```
   */
  play(diagram: string, values: Readonly<Record<string, TestSocketStep>> = {}): this {
    const marbles = parseSocketMarbles(diagram);
    for (const { time, char } of marbles) {
      const step = Object.prototype.hasOwnProperty.call(values, char) ? values[char] : builtInStep(char);
      if (typeof step === 'function') this._step(`play ${JSON.stringify(char)}`, time, () => step(this));
      else this.receive(step, { after: time });
    }
    return this;
  }

  /**
   * Sets what the server does with each frame this side writes, for
   * request/response tests: `socket.onWrite((frame, s) => s.receive(reply(frame), { after: 1 }))`.
   * Called synchronously inside `frames.next()`, after the frame is recorded;
   * not called while the socket is {@link silent}.
   */
  onWrite(handler: TestWriteHandler | undefined): this {
    if (handler !== undefined && typeof handler !== 'function') {
      throw new InvalidOptionsError(`TestSocket #${this.index}.onWrite(): expected a function, got ${typeof handler}`);
    }
    this._onWrite = handler;
    return this;
  }

  /**
   * Whether the server answers each ping this side writes with a pong of the
   * same payload, `latency` ms later (0: later in the same virtual frame).
   * On by default (the transport's `autoPong`), as a live peer does.
   */
  autoPong(enabled = true, latency = 0): this {
    checkDelay(latency, `TestSocket #${this.index}.autoPong() latency`);
    this._autoPong = enabled;
    this._pongLatency = latency;
    return this;
  }

  // ---------------------------------------------------------------- closing

  /**
   * The server closes the connection with `code` (1000-4999) and `reason`:
   * `events` emits `{type:'close', code, reason, wasClean}` and then errors
   * with `ConnectionClosedError`; or completes, when this side had already
   * started closing (the server's answer to its close frame). The socket must
   * be `OPEN` or `CLOSING`.
   */
  close(code = 1000, reason = '', options: TestCloseOptions = {}): this {
    if (!Number.isInteger(code) || code < 1000 || code > 4999) {
      throw new InvalidOptionsError(`TestSocket #${this.index}.close(): code must be an integer 1000-4999, got ${code}`);
    }
    if (typeof reason !== 'string') {
      throw new InvalidOptionsError(`TestSocket #${this.index}.close(): reason must be a string, got ${typeof reason}`);
    }
    const { wasClean = true, after } = options;
    return this._step('close', after, () => {
      this._expect('close', 'OPEN', 'CLOSING');
      this._finish(code, reason, wasClean, 'peer');
    });
  }

  /**
   * The connection is lost without a close frame. An open (or closing)
   * socket closes with 1006, `wasClean` false (`events` errors with
   * `ConnectionClosedError`, or completes if this side was closing); a
   * connecting one fails with `ConnectError` (`causeCode` `'ECONNRESET'`).
   */
  drop(timing: TestTiming = {}): this {
    return this._step('drop', timing.after, () => {
      this._expect('drop', 'CONNECTING', 'OPEN', 'CLOSING');
      if (this._readyState === 'CONNECTING') this._fail(new ConnectError(this.url, this._cause('ECONNRESET')), 'network');
      else this._finish(1006, '', false, 'network');
    });
  }

  /**
   * Makes the connection half-open (a "zombie OPEN" socket): from then on it
   * stays as it is and accepts writes, but the server answers nothing: no
   * pong, no `onWrite` reaction, no answer to this side's close frame. Frames
   * the test itself sends with `receive()` still arrive.
   */
  silent(timing: TestTiming = {}): this {
    return this._step('silent', timing.after, () => {
      this._silent = true;
    });
  }

  /**
   * How the server answers this side's close frame (`frames.complete()`,
   * `frames.error()`, a sent close frame): after `after` ms, or, without
   * `after`, never; the socket then stays `CLOSING` until the test calls
   * `close()` or `drop()`. By default it answers at once (later in the same
   * virtual frame), echoing the code and reason.
   */
  slowClose(after?: number): this {
    if (after !== undefined) checkDelay(after, `TestSocket #${this.index}.slowClose()`);
    this._closeAnswer = after ?? 'never';
    return this;
  }

  // ------------------------------------------------------------ backpressure

  /** Sets the `bufferedAmount` that `state()` reports, to simulate a slow link. */
  setBufferedAmount(bytes: number, timing: TestTiming = {}): this {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new InvalidOptionsError(`TestSocket #${this.index}.setBufferedAmount(): expected a non-negative integer, got ${bytes}`);
    }
    return this._step('setBufferedAmount', timing.after, () => {
      this._bufferedAmount = bytes;
    });
  }

  /** Stalls the link: from now on the size of each written frame adds to `bufferedAmount`, until {@link drain}. */
  stall(timing: TestTiming = {}): this {
    return this._step('stall', timing.after, () => {
      this._stalled = true;
    });
  }

  /** Ends a {@link stall}: `bufferedAmount` drops to 0 and writes no longer add to it. */
  drain(timing: TestTiming = {}): this {
    return this._step('drain', timing.after, () => {
      this._stalled = false;
      this._bufferedAmount = 0;
    });
  }

  // --------------------------------------------------------------- internal

  /** @internal Starts the handshake timeout; called once, right after the socket is registered. */
  _start(): void {
    const timeout = this.handshakeTimeout;
    if (timeout > 0) {
      this._timeout = this._schedule(timeout, () => {
        if (this._readyState === 'CONNECTING') this._fail(new ConnectTimeoutError(timeout, this.url), 'timeout');
      });
    }
  }

  /** @internal Writes one validated frame from `frames.next()`. */
  _write(frame: Frame): void {
    if (this._readyState !== 'OPEN') throw new NotOpenError(this._readyState);
    const record: TestFrameRecord = { time: this._now(), frame };
    (this.written as TestFrameRecord[]).push(record);
    this._host.frameWritten(this, record);
    if (this._stalled) this._bufferedAmount += frameSize(frame);
    if (frame.type === 'close') {
      this._clientClose(frame.code, frame.reason);
      return;
    }
    if (this._silent) return;
    if (frame.type === 'ping' && this._autoPong) {
      const pong: Frame = frame.data === undefined ? { type: 'pong' } : { type: 'pong', data: frame.data };
      this._schedule(this._pongLatency, () => {
        if (this._readyState === 'OPEN' || this._readyState === 'CLOSING') this._deliver(pong);
      });
    }
    if (this._onWrite !== undefined) this._onWrite(frame, this);
  }

  /**
   * @internal This side closes: `frames.complete()` (1000), `frames.error(e)`
   * (1011; `events` then errors with `e` instead of completing) or a close
   * frame. A connecting socket is aborted at once (no close event); an open
   * one starts the closing handshake; a closing one keeps waiting.
   */
  _clientClose(code: number | undefined, reason: string | undefined, hasFailure = false, failure?: unknown): void {
    const state = this._readyState;
    if (state === 'CLOSED') return;
    if (hasFailure && !this._hasFailure) {
      this._hasFailure = true;
      this._failure = failure;
    }
    if (state === 'CONNECTING') {
      this._closedBy = 'client';
      this._end();
      this._terminate();
      return;
    }
    if (state !== 'OPEN') return;
    this._readyState = 'CLOSING';
    this._closingAt = this._now();
    this._closedBy = 'client';
    this._closeCode = code;
    this._closeReason = reason ?? '';
    const answer = this._closeAnswer;
    if (this._silent || answer === 'never') return;
    this._schedule(answer, () => this._finish(code ?? 1005, reason ?? '', true, 'peer'));
  }

  /** @internal The script threw: end the socket and error `events` with what it threw. */
  _scriptFailed(error: unknown): void {
    if (this._readyState === 'CLOSED') throw error;
    this._closedBy = 'peer';
    this._end();
    this._hasFailure = true;
    this._failure = error;
    this._terminate();
  }

  /** @internal `events` was unsubscribed, or ended: leave nothing behind. */
  _teardown(): void {
    const state = this._readyState;
    if (state !== 'CLOSED') {
      if (state === 'OPEN') {
        this._closeCode = 1000;
        this._closeReason = '';
      }
      if (this._closedBy === undefined) this._closedBy = 'unsubscribe';
      this._end();
    }
    this._host.socketEnded(this);
  }

  private _now(): number {
    return this.connection.transport.scheduler.now();
  }

  private _cause(code: string): Error {
    let host = this.url;
    try {
      host = new URL(this.url).host;
    } catch {
      // the URL was normalised already; keep it whole if it cannot be parsed again
    }
    return Object.assign(new Error(`connect ${code} ${host}`), { code });
  }

  /** Runs `work` now (no `after`) or schedules it; scheduled work is cancelled when the socket ends. */
  private _step(name: string, after: number | undefined, work: () => void): this {
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

  private _schedule(delay: number, work: () => void): Subscription | undefined {
    let action: Subscription | undefined;
    let done = false;
    action = this.connection.transport.scheduler.schedule(() => {
      done = true;
      if (action !== undefined) this._pending.remove(action);
      work();
    }, delay);
    // A scheduler that runs work synchronously (queueScheduler) has already run it.
    if (done) return undefined;
    this._pending.add(action);
    return action;
  }

  private _expect(name: string, ...states: TestSocketReadyState[]): void {
    if (!states.includes(this._readyState)) {
      throw new InvalidOptionsError(
        `TestSocket #${this.index}.${name}() needs a socket in ${states.join(' or ')}, but it is ${this._readyState}` +
          (this._closedBy ? ` (closed by ${this._closedBy})` : ''),
      );
    }
  }

  private _deliver(frame: Frame): void {
    this._expect('receive', 'OPEN', 'CLOSING');
    const record: TestFrameRecord = { time: this._now(), frame };
    (this.received as TestFrameRecord[]).push(record);
    this._host.frameReceived(this, record);
    this._subscriber.next({ type: 'frame', frame });
  }

  /** Ends a socket that never opened: `events` errors with `error`, no close event. */
  private _fail(error: Error, by: TestSocketClosedBy): void {
    this._closedBy = by;
    this._end();
    this._hasFailure = true;
    this._failure = error;
    this._terminate();
  }


  /**
   * Ends an open or closing socket: the close event, then complete when this
   * side asked for the close (or its `frames.error()` value), else
   * `ConnectionClosedError`.
   */
  private _finish(code: number, reason: string, wasClean: boolean, by: TestSocketClosedBy): void {
    if (this._closedBy === undefined) this._closedBy = by;
    this._closeCode = code;
    this._closeReason = reason;
    this._wasClean = wasClean;
    this._end();
    this._subscriber.next({ type: 'close', code, reason, wasClean });
    if (this._closedBy !== 'client') {
      this._hasFailure = true;
      this._failure = new ConnectionClosedError(code, reason, wasClean);
    }
    this._terminate();
  }

  /** Leaves the connection (it has no current socket any more), then completes or errors `events`. */
  private _terminate(): void {
    this._host.socketEnded(this);
    if (this._hasFailure) {
      this._error = this._failure;
      this._subscriber.error(this._failure);
    } else {
      this._subscriber.complete();
    }
  }

  private _end(): void {
    this._readyState = 'CLOSED';
    this._closedAt = this._now();
    this._pending.unsubscribe();
  }
}

function toFrame(data: string | Uint8Array | Frame): Frame {
  if (typeof data === 'string') return textFrame(data);
  if (data instanceof Uint8Array) return binaryFrame(data);
  return data;
}

function builtInStep(char: string): TestSocketStep {
  switch (char) {
    case 'o':
      return (socket) => socket.open();
    case '|':
      return (socket) => socket.close(1000);
    case '#':
      return (socket) => socket.drop();
    default:
      return char;
  }
}

function checkDelay(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionsError(`${what} must be a finite number of milliseconds >= 0, got ${String(value)}`);
  }
}
