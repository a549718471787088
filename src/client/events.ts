import type { CodecError } from '../errors';

/** Fields every telemetry event has. */
export interface SocketEventBase {
  /** The scheduler's `now()` when the event happened. */
  readonly time: number;
}

/** A connection attempt started. */
export interface ConnectingEvent extends SocketEventBase {
  readonly type: 'connecting';
  readonly attempt: number;
  /** The URL with its secrets redacted (`redactUrl`: no userinfo, secret query parameters `[redacted]`). */
  readonly url: string;
}

/** A socket opened. */
export interface OpenedEvent extends SocketEventBase {
  readonly type: 'opened';
  readonly attempt: number;
  /** The URL with its secrets redacted (`redactUrl`: no userinfo, secret query parameters `[redacted]`). */
  readonly url: string;
  readonly protocol: string;
  /** Milliseconds from the start of the attempt to open. */
  readonly connectTime: number;
}

/** Who ended a connection. */
export type CloseInitiator = 'client' | 'server' | 'network';

/** An open socket closed. */
export interface ClosedEvent extends SocketEventBase {
  readonly type: 'closed';
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  /** `client` when this side asked, `network` for 1006 without a clean close, `server` otherwise. */
  readonly initiator: CloseInitiator;
  /** The error the connection ended with, unless the client asked for the close. */
  readonly error?: unknown;
}

/** A reconnect attempt was scheduled. */
export interface ReconnectScheduledEvent extends SocketEventBase {
  readonly type: 'reconnect-scheduled';
  readonly attempt: number;
  readonly delay: number;
  readonly error: unknown;
}

/** The socket gave up: reconnection ran out, or the close policy said stop. */
export interface GaveUpEvent extends SocketEventBase {
  readonly type: 'gave-up';
  readonly error: unknown;
}

/** The kind of a data message. */
export type MessageKind = 'text' | 'binary';

/** A message was written to an open socket. */
export interface SentEvent extends SocketEventBase {
  readonly type: 'sent';
  readonly kind: MessageKind;
  /** Payload bytes (text counted as UTF-8). */
  readonly bytes: number;
}

/** A data message arrived. */
export interface ReceivedEvent extends SocketEventBase {
  readonly type: 'received';
  readonly kind: MessageKind;
  readonly bytes: number;
}

/** Why a message accepted by `send()` was never written. */
export type DroppedReason = 'overflow' | 'expired' | 'closed' | 'refused';

/** A message accepted by `send()` was dropped without being written. */
export interface DroppedEvent extends SocketEventBase {
  readonly type: 'dropped';
  readonly reason: DroppedReason;
  /** The message as given to `send()`. */
  readonly message: unknown;
  readonly bytes: number;
  /** Why it was refused (reason `'refused'`: a message piped into the socket that `send()` would have thrown for). */
  readonly error?: unknown;
}

/** An inbound frame could not be decoded and was skipped. */
export interface DecodeErrorEvent extends SocketEventBase {
  readonly type: 'decode-error';
  readonly kind: MessageKind;
  readonly bytes: number;
  readonly error: CodecError;
}

/** A heartbeat deadline passed with no frame: the socket is being terminated. */
export interface HeartbeatTimeoutEvent extends SocketEventBase {
  readonly type: 'heartbeat-timeout';
  readonly timeout: number;
}

/** A heartbeat pong arrived: the round-trip time of its ping. */
export interface RttEvent extends SocketEventBase {
  readonly type: 'rtt';
  /** Milliseconds from ping to pong. */
  readonly rtt: number;
}

/** Writing paused (the socket's buffered amount passed the high-water mark) or resumed. */
export interface BackpressureEvent extends SocketEventBase {
  readonly type: 'backpressure';
  readonly paused: boolean;
  readonly bufferedAmount: number;
}

/**
 * A connection ended with messages that had been written to it but had not yet left the process (still in the
 * transport's own buffer): they are back at the front of the outbox, in order, and will be sent on the next
 * connection (or reported `dropped` if the socket closes first). Only transports that can tell (`written()`: ws).
 */
export interface RequeuedEvent extends SocketEventBase {
  readonly type: 'requeued';
  /** How many messages went back. */
  readonly count: number;
}

/** Authentication succeeded (after an open, or a refresh before expiry). */
export interface AuthenticatedEvent extends SocketEventBase {
  readonly type: 'authenticated';
  /** `true` for a re-authentication of a live connection. */
  readonly refresh: boolean;
  /** The credentials' lifetime in ms, when the server gave one. */
  readonly expiresIn?: number;
}

/** A response arrived for a request that had already timed out or been unsubscribed. */
export interface LateResponseEvent extends SocketEventBase {
  readonly type: 'late-response';
  readonly id: number | string;
}

/**
 * User code (a protocol adapter function, a predicate such as `isPong`, a
 * callback such as `onAttempt`) threw. The socket goes on: on the inbound
 * path the message is handled like one that could not be decoded (skipped,
 * or fatal with `decodeErrors: 'fatal'`).
 */
export interface CallbackErrorEvent extends SocketEventBase {
  readonly type: 'callback-error';
  /** Which function threw, e.g. `'protocol.idOf'` or `'reconnect.onAttempt'`. */
  readonly source: string;
  /** What it threw. */
  readonly error: unknown;
}

/** A stream piped into the socket (`source$.subscribe(socket)`) errored; the socket stays as it is. */
export interface SourceErrorEvent extends SocketEventBase {
  readonly type: 'source-error';
  /** The source's error. */
  readonly error: unknown;
}

/** Typed telemetry of a socket, on `events$`. Logging and metrics are subscribers of it. */
export type SocketEvent =
  | ConnectingEvent
  | OpenedEvent
  | ClosedEvent
  | ReconnectScheduledEvent
  | GaveUpEvent
  | SentEvent
  | ReceivedEvent
  | DroppedEvent
  | DecodeErrorEvent
  | HeartbeatTimeoutEvent
  | RttEvent
  | BackpressureEvent
  | RequeuedEvent
  | AuthenticatedEvent
  | LateResponseEvent
  | CallbackErrorEvent
  | SourceErrorEvent;

/** The `type` of a {@link SocketEvent}. */
export type SocketEventType = SocketEvent['type'];
