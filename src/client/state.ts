/** Opening a socket: the first connection (`attempt` 0) or reconnect number `attempt`. */
export interface ConnectingState {
  readonly status: 'connecting';
  /** 0 for the first connection, then the reconnect attempt (1 for the first reconnect). */
  readonly attempt: number;
  /** The URL this attempt connects to, with its secrets redacted (`redactUrl`). */
  readonly url: string;
}

/** The socket is open; queued messages have been flushed. */
export interface OpenState {
  readonly status: 'open';
  /** The attempt that opened it (0 for the first connection). */
  readonly attempt: number;
  /** The URL of the open socket, with its secrets redacted (`redactUrl`). */
  readonly url: string;
  /** The subprotocol the server chose, or `''`. */
  readonly protocol: string;
}

/** The connection failed and a reconnect is scheduled after `delay` ms. */
export interface ReconnectingState {
  readonly status: 'reconnecting';
  /** The attempt about to be made (1 for the first reconnect). */
  readonly attempt: number;
  /** Milliseconds until that attempt. */
  readonly delay: number;
  /** The error that ended the last connection or attempt. */
  readonly error: unknown;
}

/** `close()` was called (or, with `lazy`, the last subscriber left); the closing handshake is under way. */
export interface ClosingState {
  readonly status: 'closing';
  readonly code: number;
  readonly reason: string;
}

/** No socket. The final state after `close()` or giving up; with `lazy`, also the idle state. */
export interface ClosedState {
  readonly status: 'closed';
  /** The close code of the last connection, if it had one. */
  readonly code?: number;
  /** The close reason of the last connection, if it had one. */
  readonly reason?: string;
  /** Whether the last connection closed cleanly, if it had opened. */
  readonly wasClean?: boolean;
  /** The error that ended the socket, when it ended by failure. */
  readonly error?: unknown;
  /** Whether this close was asked for: `close()` or, with `lazy`, the last subscriber leaving. */
  readonly requested: boolean;
  /** Whether the library gave up: reconnection ran out of attempts or time, or the close policy said stop. */
  readonly gaveUp: boolean;
}

/**
 * The connection state of a socket. `state$` replays the current one.
 *
 * ```
 *  connecting(0) ──open──▶ open ──failure──▶ reconnecting(n, delay) ──▶ connecting(n) ──▶ open ...
 *        │                  │                      │
 *        └──failure─────────┼──────────────────────┘
 *                           │ close()
 *                           ▼
 *                        closing ──▶ closed(requested)
 *  any state ──give up / stop code──▶ closed(gaveUp, error)
 * ```
 */
export type SocketState = ConnectingState | OpenState | ReconnectingState | ClosingState | ClosedState;

/** The `status` of a {@link SocketState}. */
export type SocketStatus = SocketState['status'];
