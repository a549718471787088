/**
 * Every error rxnova raises is an instance of {@link RxnovaError}: it has a
 * `name` (its class), a stable string `code` to branch on, and a message that
 * starts with `rxnova: ` and says the state it was raised in.
 *
 * | class | code |
 * | --- | --- |
 * | ConnectionClosedError | RXNOVA_ERR_CONNECTION_CLOSED |
 * | HandshakeError | RXNOVA_ERR_HANDSHAKE |
 * | ConnectError | RXNOVA_ERR_CONNECT |
 * | ConnectTimeoutError | RXNOVA_ERR_CONNECT_TIMEOUT |
 * | HeartbeatTimeoutError | RXNOVA_ERR_HEARTBEAT_TIMEOUT |
 * | NotOpenError | RXNOVA_ERR_NOT_OPEN |
 * | SocketClosedError | RXNOVA_ERR_SOCKET_CLOSED |
 * | InvalidUrlError | RXNOVA_ERR_INVALID_URL |
 * | InvalidFrameError | RXNOVA_ERR_INVALID_FRAME |
 * | InvalidOptionsError | RXNOVA_ERR_INVALID_OPTIONS |
 * | UnsupportedFrameError | RXNOVA_ERR_UNSUPPORTED_FRAME |
 * | CodecError | RXNOVA_ERR_CODEC |
 * | OutboxFullError | RXNOVA_ERR_OUTBOX_FULL |
 * | RequestTimeoutError | RXNOVA_ERR_REQUEST_TIMEOUT |
 * | RemoteError | RXNOVA_ERR_REMOTE |
 * | AuthError | RXNOVA_ERR_AUTH |
 *
 * @packageDocumentation
 */

import { redactUrl } from './redact';

/** The stable codes of every rxnova error, one per class. */
export type RxnovaErrorCode =
  | 'RXNOVA_ERR_CONNECTION_CLOSED'
  | 'RXNOVA_ERR_HANDSHAKE'
  | 'RXNOVA_ERR_CONNECT'
  | 'RXNOVA_ERR_CONNECT_TIMEOUT'
  | 'RXNOVA_ERR_HEARTBEAT_TIMEOUT'
  | 'RXNOVA_ERR_NOT_OPEN'
  | 'RXNOVA_ERR_SOCKET_CLOSED'
  | 'RXNOVA_ERR_INVALID_URL'
  | 'RXNOVA_ERR_INVALID_FRAME'
  | 'RXNOVA_ERR_INVALID_OPTIONS'
  | 'RXNOVA_ERR_UNSUPPORTED_FRAME'
  | 'RXNOVA_ERR_CODEC'
  | 'RXNOVA_ERR_OUTBOX_FULL'
  | 'RXNOVA_ERR_MESSAGE_DROPPED'
  | 'RXNOVA_ERR_REQUEST_TIMEOUT'
  | 'RXNOVA_ERR_REMOTE'
  | 'RXNOVA_ERR_AUTH';

/** The base class of every error rxnova raises. */
export abstract class RxnovaError extends Error {
  /** A stable string that identifies the kind of error; safe to branch on. */
  abstract readonly code: RxnovaErrorCode;
  /** The underlying error, when there is one (a runtime's socket error, a codec's exception). */
  declare readonly cause?: unknown;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super('rxnova: ' + message);
    // Not enumerable, like a built-in error's cause.
    if (options && 'cause' in options) Object.defineProperty(this, 'cause', { value: options.cause, writable: true, configurable: true });
  }

  /** The class name, such as `ConnectionClosedError` (kept explicit so minifiers cannot rename it). */
  abstract override readonly name: string;
}

/** A cause as it reads in a message. */
const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/** The connection was closed by the peer or lost (code 1006 when no close frame arrived). */
export class ConnectionClosedError extends RxnovaError {
  override readonly name = 'ConnectionClosedError' as const;
  readonly code = 'RXNOVA_ERR_CONNECTION_CLOSED' as const;
  constructor(
    /** The close code, as the close event reported it (1005 when the frame had none, 1006 when the connection dropped). */
    readonly closeCode: number,
    /** The close reason the peer sent, or an empty string. */
    readonly reason: string,
    /** Whether the closing handshake completed. */
    readonly wasClean: boolean,
    cause?: unknown,
  ) {
    // A close reports an event: its stack is of no use, and capturing one is the costly part.
    // (Only where the runtime has the V8 `stackTraceLimit`: elsewhere nothing is added to `Error`.)
    const limit = Error.stackTraceLimit;
    const quiet = limit !== undefined;
    if (quiet) Error.stackTraceLimit = 0;
    super(
      `connection closed: code ${closeCode}${reason ? ` "${reason}"` : ''}, ${wasClean ? 'clean' : 'not clean'}`,
      cause === undefined ? undefined : { cause },
    );
    if (quiet) Error.stackTraceLimit = limit;
  }
}

/** The server answered the opening handshake with something other than 101 Switching Protocols. */
export class HandshakeError extends RxnovaError {
  override readonly name = 'HandshakeError' as const;
  readonly code = 'RXNOVA_ERR_HANDSHAKE' as const;
  constructor(
    /** The HTTP status of the server's answer (0 when the runtime hides it, as browsers do). */
    readonly status: number,
    /** The response headers, names in lower case (empty when the runtime hides them). */
    readonly headers: Readonly<Record<string, string>> = {},
    detail?: string,
  ) {
    super(`handshake failed: HTTP status ${status}${detail ? `: ${detail}` : ''}`);
  }
}

/** The connection could not be made: refused, reset, DNS failure, TLS failure. `cause` holds the runtime's error. */
export class ConnectError extends RxnovaError {
  override readonly name = 'ConnectError' as const;
  readonly code = 'RXNOVA_ERR_CONNECT' as const;
  /** The runtime's own error code, such as `ECONNREFUSED` or `CERT_HAS_EXPIRED`, when it gave one. */
  readonly causeCode: string | undefined;
  /**
   * The failure is deterministic: the WebSocket constructor itself threw
   * (no WebSocket implementation at run time, the `ws` stub of a browser
   * bundle, a URL the runtime rejects), so every new attempt would fail the
   * same way. The default close policy stops on it instead of reconnecting.
   */
  readonly permanent: boolean;
  constructor(url: string, cause?: unknown, permanent = false) {
    // The URL's userinfo and secret-looking query parameters never reach the message (it is often logged).
    super(redactUrl(`could not connect to ${url}: ${cause === undefined ? 'unknown error' : messageOf(cause)}${permanent ? ' (the WebSocket constructor threw: reconnecting cannot help)' : ''}`), { cause });
    this.causeCode = errorCodeOf(cause);
    this.permanent = permanent;
  }
}

/** The opening handshake did not finish within the connect timeout. */
export class ConnectTimeoutError extends RxnovaError {
  override readonly name = 'ConnectTimeoutError' as const;
  readonly code = 'RXNOVA_ERR_CONNECT_TIMEOUT' as const;
  constructor(
    /** The timeout that elapsed, in milliseconds. */
    readonly timeout: number,
    url?: string,
  ) {
    super(`connect timed out after ${timeout} ms${url ? ` (${redactUrl(url)})` : ''}: readyState CONNECTING`);
  }
}

/** No frame arrived within the heartbeat deadline: the connection is presumed dead. */
export class HeartbeatTimeoutError extends RxnovaError {
  override readonly name = 'HeartbeatTimeoutError' as const;
  readonly code = 'RXNOVA_ERR_HEARTBEAT_TIMEOUT' as const;
  constructor(
    /** The deadline that elapsed after a ping, in milliseconds. */
    readonly timeout: number,
  ) {
    super(`heartbeat timed out: no frame within ${timeout} ms of a ping, readyState OPEN`);
  }
}

/** A frame was written while the socket was not open. */
export class NotOpenError extends RxnovaError {
  override readonly name = 'NotOpenError' as const;
  readonly code = 'RXNOVA_ERR_NOT_OPEN' as const;
  constructor(
    /** The ready state the socket was in: `CONNECTING`, `CLOSING`, `CLOSED`, or `NONE` when there is no socket. */
    readonly readyState: string,
  ) {
    super(`socket is not open: readyState ${readyState}`);
  }
}

/** The socket was used after `close()`. */
export class SocketClosedError extends RxnovaError {
  override readonly name = 'SocketClosedError' as const;
  readonly code = 'RXNOVA_ERR_SOCKET_CLOSED' as const;
  constructor(
    operation: string,
    /** Why the socket is closed: `close()` was called, or it gave up. */
    why = 'close() was called',
  ) {
    super(`${operation}: the socket is closed (${why})`);
  }
}

/** The URL is not a valid WebSocket URL. Raised before any network use. */
export class InvalidUrlError extends RxnovaError {
  override readonly name = 'InvalidUrlError' as const;
  readonly code = 'RXNOVA_ERR_INVALID_URL' as const;
  /**
   * The URL as given, with its secrets redacted (`redactUrl`: no userinfo,
   * secret query parameters replaced by `[redacted]`), as in the message.
   */
  readonly url: string;
  /**
   * The URL exactly as given, secrets included. Non-enumerable, so that
   * logging, serialising or spreading the error never shows it; read it only
   * where you would print the URL yourself.
   */
  declare readonly rawUrl: string;
  constructor(url: string, reason: string) {
    const shown = redactUrl(url);
    super(`invalid WebSocket URL ${JSON.stringify(shown)}: ${redactUrl(reason)}`);
    this.url = shown;
    // Not enumerable, not writable (the defaults of defineProperty).
    Object.defineProperty(this, 'rawUrl', { value: url, configurable: true });
  }
}

/** A frame is malformed: bad close code, control payload over 125 bytes, close reason over 123 bytes, wrong data type. */
export class InvalidFrameError extends RxnovaError {
  override readonly name = 'InvalidFrameError' as const;
  readonly code = 'RXNOVA_ERR_INVALID_FRAME' as const;
  constructor(reason: string) {
    super(`invalid frame: ${reason}`);
  }
}

/** An option has a value that cannot work; the message names the option and how to fix it. */
export class InvalidOptionsError extends RxnovaError {
  override readonly name = 'InvalidOptionsError' as const;
  readonly code = 'RXNOVA_ERR_INVALID_OPTIONS' as const;
  constructor(reason: string) {
    super(`invalid options: ${reason}`);
  }
}

/** The transport cannot send this kind of frame (for example ping with the WHATWG WebSocket API). */
export class UnsupportedFrameError extends RxnovaError {
  override readonly name = 'UnsupportedFrameError' as const;
  readonly code = 'RXNOVA_ERR_UNSUPPORTED_FRAME' as const;
  constructor(
    /** The frame type that was refused. */
    readonly frameType: string,
    reason: string,
  ) {
    super(`unsupported frame "${frameType}": ${reason}`);
  }
}

/** A message could not be encoded or a frame decoded. `cause` holds the codec's error. */
export class CodecError extends RxnovaError {
  override readonly name = 'CodecError' as const;
  readonly code = 'RXNOVA_ERR_CODEC' as const;
  constructor(
    /** Whether encoding (sending) or decoding (receiving) failed. */
    readonly direction: 'encode' | 'decode',
    cause: unknown,
  ) {
    super(`could not ${direction} message: ${messageOf(cause)}`, { cause });
  }
}

/** The outbox is full and its overflow policy is `'error'`. */
export class OutboxFullError extends RxnovaError {
  override readonly name = 'OutboxFullError' as const;
  readonly code = 'RXNOVA_ERR_OUTBOX_FULL' as const;
  constructor(
    /** How many messages the outbox holds. */
    readonly size: number,
    /** How many bytes the outbox holds. */
    readonly bytes: number,
    limit: string,
  ) {
    super(`outbox is full (${size} messages, ${bytes} bytes; limit ${limit}): message not accepted`);
  }
}

/**
 * A message sent with `sendWithReceipt()` was dropped before it was written: `reason` says why (`overflow`: the
 * outbox's overflow policy; `expired`: its ttl passed; `closed`: `close()` was called or the socket gave up).
 */
export class MessageDroppedError extends RxnovaError {
  override readonly name = 'MessageDroppedError' as const;
  readonly code = 'RXNOVA_ERR_MESSAGE_DROPPED' as const;
  constructor(
    /** Why it was dropped. */
    readonly reason: 'overflow' | 'expired' | 'closed',
  ) {
    super(`message dropped before it was written (${reason === 'overflow' ? 'the outbox overflowed' : reason === 'expired' ? 'its ttl passed' : 'the socket closed'})`);
  }
}

/** No response arrived within the request's timeout. */
export class RequestTimeoutError extends RxnovaError {
  override readonly name = 'RequestTimeoutError' as const;
  readonly code = 'RXNOVA_ERR_REQUEST_TIMEOUT' as const;
  constructor(
    /** The timeout that elapsed, in milliseconds. */
    readonly timeout: number,
    /** The request's correlation id. */
    readonly id?: string | number,
  ) {
    super(`request${id === undefined ? '' : ` ${id}`} timed out after ${timeout} ms`);
  }
}

/** The server answered a request with an error. */
export class RemoteError extends RxnovaError {
  override readonly name = 'RemoteError' as const;
  readonly code = 'RXNOVA_ERR_REMOTE' as const;
  constructor(
    /** The server's error code. */
    readonly remoteCode: number | string,
    remoteMessage: string,
    /** The server's error data, if any. */
    readonly data?: unknown,
  ) {
    super(`remote error ${remoteCode}: ${remoteMessage}`);
  }
}

/** Authentication failed. */
export class AuthError extends RxnovaError {
  override readonly name = 'AuthError' as const;
  readonly code = 'RXNOVA_ERR_AUTH' as const;
  constructor(reason: string, cause?: unknown) {
    super(`authentication failed: ${reason}`, cause === undefined ? undefined : { cause });
  }
}

/** Whether a value is an rxnova error, optionally of one code. Works across duplicated copies of the package. */
export function isRxnovaError(value: unknown, code?: RxnovaErrorCode): value is RxnovaError {
  if (value instanceof RxnovaError) return code === undefined || value.code === code;
  const c = errorCodeOf(value);
  return c !== undefined && c.startsWith('RXNOVA_ERR_') && (code === undefined || c === code);
}

/** @internal The `code` property of an error-like value, if it is a string. */
export function errorCodeOf(value: unknown): string | undefined {
  const code = typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
