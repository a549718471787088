import type { SchedulerLike } from 'rxjs';
import type { RandomSource } from '../backoff/backoff';
import type { ReconnectConfig } from '../operators/reconnect';
import type { Transport } from '../transport/transport';
import type { Observable } from 'rxjs';
import type { Codec } from './codec';
import type { OutboxConfig } from './outbox';
import type { Protocol } from './protocol';
import type { RateLimit } from './rate-limit';
import type { RequestDefaults } from './requests';

/** A value, or a function called on every connection attempt to produce it (fresh tokens, rotated endpoints). */
export type PerAttempt<T> = T | (() => T);

/** The default {@link HeartbeatOptions.stallTimeout}: 3 minutes. */
export const DEFAULT_STALL_TIMEOUT = 180_000;

/**
 * Keep-alive: pings at an interval and a deadline for any sign of life.
 * Any inbound frame counts as a sign of life. A ping with nothing sent
 * ahead of it since the last pong must be answered within `timeout`; one
 * that may wait behind data sent before it also gets the time that data
 * needs at 64 kbit (at most `stallTimeout`); and while the socket's send
 * buffer holds a backlog, the link is alive as long as that backlog moves
 * (see `stallTimeout`). A dead link is terminated with
 * `HeartbeatTimeoutError`, which the close policy retries.
 */
export interface HeartbeatOptions<In, Out> {
  /**
   * Milliseconds between pings, counted from the open. With the default timeout, a silent peer is found within 20 s.
   * @default 10000
   */
  readonly interval?: number;
  /**
   * Milliseconds after a ping by which some frame must arrive, when nothing was sent ahead of it since the last pong.
   * @default 10000
   */
  readonly timeout?: number;
  /**
   * Milliseconds a backlog in the socket's send buffer may go without moving before the link counts as dead. While
   * the socket holds a backlog, a ping waits behind it (and behind the operating system's full buffer), and the
   * operating system takes a slow link's bytes in large steps: at 64 kbit they are seconds apart, through a local
   * proxy at 8 KB/s minutes. So a busy link is judged by its backlog moving, not by its pongs.
   * @default 180000
   */
  readonly stallTimeout?: number;
  /**
   * An application-level ping message (or a function making one), sent
   * through the codec. Without it, transports that can send ping frames
   * (`wsTransport`) use protocol pings, and others have no heartbeat.
   * @default undefined (protocol pings where the transport can send them)
   */
  readonly ping?: Out | (() => Out);
  /**
   * Recognises the application-level pong, so its round-trip time is
   * measured and it is kept out of `messages$`.
   * @default undefined (no application pong is recognised; any frame still counts as life)
   */
  readonly isPong?: (message: In) => boolean;
}

/** Backpressure on the socket's own send buffer. */
export interface BackpressureOptions {
  /**
   * Bytes buffered inside the socket above which writing pauses; queued
   * messages then wait in the bounded outbox until it drains.
   * @default 1048576 (1 MiB)
   */
  readonly highWaterMark?: number;
  /**
   * Milliseconds between checks of the buffered amount while paused.
   * @default 10
   */
  readonly pollInterval?: number;
}

/** What `auth()` is told on each call. */
export interface AuthContext {
  /** The connection attempt (0 for the first connection). */
  readonly attempt: number;
  /** `true` when re-authenticating a live connection before its credentials expire. */
  readonly refresh: boolean;
}
/** Makes the auth message for each (re)connect: the message itself, or an Observable of it (so tokens can be fetched fresh). */
export type AuthMessage<Out> = (context: AuthContext) => Out | Observable<Out>;

/** Authentication on every connect. */
export interface AuthOptions<Out> {
  /** Makes the auth message; called on every (re)connect and before expiry. */
  readonly message: AuthMessage<Out>;
  /**
   * Milliseconds to wait for the answer before `AuthError`.
   * @default 10000
   */
  readonly timeout?: number;
  /**
   * When the answer gives the credentials' lifetime (`expires_in`), re-authenticate this many ms before it ends
   * (credentials that live no longer than this are renewed at half their life).
   * @default 5000
   */
  readonly refreshBefore?: number;
}

/** A lazy socket's grace period. */
export interface LazyOptions {
  /**
   * Milliseconds the connection stays after the last consumer leaves.
   * @default 0 (closed on the scheduler's next turn)
   */
  readonly closeDelay?: number;
}

/** Options of {@link connect}. Every field is optional. */
export interface ConnectOptions<In = unknown, Out = unknown> {
  /**
   * How sockets are made.
   * @default webSocketTransport() from 'rxnova' (the runtime's WebSocket); wsTransport() from 'rxnova/node'
   */
  readonly transport?: Transport;
  /**
   * Subprotocols to offer; a function is called on every attempt.
   * @default []
   */
  readonly protocols?: PerAttempt<string | readonly string[]>;
  /**
   * Extra headers for the upgrade request (transports that can send them); a
   * function is called on every attempt.
   * @default {}
   */
  readonly headers?: PerAttempt<Readonly<Record<string, string>>>;
  /**
   * How messages are turned into frames and back.
   * @default json()
   */
  readonly codec?: Codec<In, Out>;
  /**
   * What to do with an inbound frame the codec cannot decode: `'skip'` reports
   * it on `events$` (`decode-error`) and keeps the connection; `'fatal'` ends
   * the socket with the `CodecError`.
   * @default 'skip'
   */
  readonly decodeErrors?: 'skip' | 'fatal';
  /**
   * Reconnection: a `reconnect()` config, a number (max attempts), or `false`
   * for none (every failure is final).
   * @default {} (exponential backoff with full jitter, 1 s to 30 s, unlimited attempts, the default close policy)
   */
  readonly reconnect?: ReconnectConfig | number | false;
  /**
   * Keep-alive pings and deadline, or `false` for none.
   * @default protocol pings every 10 s with a 10 s deadline where the transport can send pings; otherwise off
   */
  readonly heartbeat?: HeartbeatOptions<In, Out> | false;
  /**
   * Milliseconds the opening handshake may take before `ConnectTimeoutError`
   * (retried by the close policy). 0 disables it.
   * @default 10000
   */
  readonly connectTimeout?: number;
  /**
   * Milliseconds `close()` waits for the closing handshake before dropping the socket.
   * @default 5000
   */
  readonly closeTimeout?: number;
  /**
   * The bounded buffer for messages sent while the socket is down.
   * @default { maxMessages: 10000, maxBytes: 16777216, ttl: Infinity, overflow: 'error' }
   */
  readonly outbox?: OutboxConfig;
  /**
   * Pausing writes while the socket's own buffer is full.
   * @default { highWaterMark: 1048576, pollInterval: 10 }
   */
  readonly backpressure?: BackpressureOptions;
  /**
   * `false` (eager) opens at once and stays until `close()`. `true` opens on
   * the first consumer (a subscriber of `messages$`, a `channel()` or a
   * `request()`) and closes once the last one has left for `closeDelay` ms
   * (a grace period: a consumer arriving within it keeps the connection; one
   * that resubscribes synchronously, as `switchMap` does, always does).
   * `{ closeDelay }` is lazy with that grace period.
   * @default false (`true` means `{ closeDelay: 0 }`: closed on the scheduler's next turn)
   */
  readonly lazy?: boolean | LazyOptions;
  /**
   * The server's wire format for channels, requests, auth and application
   * pings: `jsonRpc()`, `jsonTopics()` or your own {@link Protocol}.
   * @default undefined (a plain socket: no channels, no requests)
   */
  readonly protocol?: Protocol<In, Out>;
  /**
   * Authentication on every (re)connect: a function returning the auth
   * message (or an Observable of it), or {@link AuthOptions}. It is sent right
   * after open, before channels are resubscribed and the outbox is flushed;
   * nothing else is written until it succeeds. A failure ends the socket with
   * `AuthError`, unless the reconnect policy retries it
   * (`reconnect: { policy: { errors: { RXNOVA_ERR_AUTH: 'retry' } } }`), which
   * calls the function again for fresh credentials.
   * @default undefined (no authentication)
   */
  readonly auth?: AuthMessage<Out> | AuthOptions<Out>;
  /**
   * A rate limit on outgoing messages (not on auth messages or pings), made
   * by `tokenBucket()`: `rateLimit: tokenBucket({ capacity: 10, refillPerSecond: 10 })`.
   * Sockets without it do not carry its code.
   * @default undefined (no limit)
   */
  readonly rateLimit?: RateLimit<Out>;
  /**
   * Defaults of `request()`.
   * @default { timeout: 30000, inFlight: 'fail' }
   */
  readonly requests?: RequestDefaults;
  /**
   * Whether channel messages also appear on `messages$`.
   * @default true
   */
  readonly messagesIncludeChannels?: boolean;
  /**
   * The scheduler every delay, timeout and interval runs on (also passed to
   * `reconnect` unless its config names one). Use a `TestScheduler` in tests.
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
  /**
   * The random source for backoff jitter (passed to `reconnect` unless its config names one).
   * @default Math.random
   */
  readonly random?: RandomSource;
}
