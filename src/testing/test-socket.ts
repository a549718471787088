import { ConnectError, HandshakeError, InvalidOptionsError, UnsupportedFrameError } from '../errors';
import { Frame, binaryFrame, textFrame, validateFrame } from '../frame';
import { parseSocketMarbles } from './socket-marbles';
import { checkDelay, TestSocketBase } from './test-socket-base';
import type {
  TestCloseOptions,
  TestOpenOptions,
  TestRefuseOptions,
  TestSocketStep,
  TestTiming,
  TestWriteHandler,
} from './test-socket-types';

export type {
  TestCloseOptions,
  TestFrameRecord,
  TestOpenOptions,
  TestRefuseOptions,
  TestSocketClosedBy,
  TestSocketReadyState,
  TestSocketStep,
  TestTiming,
  TestWriteHandler,
} from './test-socket-types';

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
 *
 * It is the server and the network, nothing more: what `events` does when
 * the socket opens, closes, drops or times out is decided by the same code
 * as in the real transports (`SocketConnection`), so the rules cannot differ.
 */
export class TestSocket extends TestSocketBase {
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
      this._protocol = protocol;
      this._extensions = extensions;
      this._session.onOpen(protocol, extensions);
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
      this._bufferedChanged();
    });
  }

  /**
   * Stalls the link: from now on the size of each written frame adds to `bufferedAmount`, and the frame has not
   * left (the connection's `written()` does not count it), until {@link drain} or `setBufferedAmount(0)`.
   */
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
      this._bufferedChanged();
    });
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
