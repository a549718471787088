import { RxnovaErrorCode, errorCodeOf } from './errors';
// Types only: the policy decides by the errors' stable `code` and public fields, never by `instanceof`,
// so a bundle that only reconnects does not carry every error class.
import type { ConnectError, ConnectionClosedError, HandshakeError } from './errors';
import { isObject, mustBe } from './invalid';
import { capDelay, checkDuration } from './time';

/**
 * WebSocket close codes: those RFC 6455 defines, those later registered with
 * IANA, and the ranges for libraries (3000-3999, registered) and
 * applications (4000-4999, private use).
 */
export enum CloseCode {
  /** The purpose of the connection has been fulfilled. */
  NormalClosure = 1000,
  /** The endpoint is going away: a server shutting down, a page navigating away. */
  GoingAway = 1001,
  /** The endpoint saw a protocol error. */
  ProtocolError = 1002,
  /** The endpoint received a data type it cannot accept. */
  UnsupportedData = 1003,
  /** Reserved; never sent. */
  Reserved = 1004,
  /** Reported when a close frame had no code; never sent. */
  NoStatusReceived = 1005,
  /** Reported when the connection dropped without a close frame; never sent. */
  AbnormalClosure = 1006,
  /** A message's data did not match its type (e.g. invalid UTF-8 in text). */
  InvalidFramePayloadData = 1007,
  /** A message violated the endpoint's policy. */
  PolicyViolation = 1008,
  /** A message was too big to process. */
  MessageTooBig = 1009,
  /** The client expected the server to negotiate an extension it did not. */
  MandatoryExtension = 1010,
  /** The server met an unexpected condition. */
  InternalError = 1011,
  /** The service is restarting (IANA). */
  ServiceRestart = 1012,
  /** The service is overloaded; try again later (IANA). */
  TryAgainLater = 1013,
  /** A gateway or proxy got an invalid response from upstream (IANA). */
  BadGateway = 1014,
  /** The TLS handshake failed; reported, never sent. */
  TLSHandshake = 1015,
  /** The request lacks valid authentication (IANA, 3000). */
  Unauthorized = 3000,
  /** The request is understood but refused (IANA, 3003). */
  Forbidden = 3003,
  /** The endpoint timed out (IANA, 3008). */
  Timeout = 3008,
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  1000: 'Normal Closure: the purpose of the connection has been fulfilled',
  1001: 'Going Away: the endpoint is going away (server shutdown or page navigation)',
  1002: 'Protocol Error: the endpoint saw a protocol error',
  1003: 'Unsupported Data: the endpoint cannot accept this data type',
  1004: 'Reserved',
  1005: 'No Status Received: the close frame had no code',
  1006: 'Abnormal Closure: the connection dropped without a close frame',
  1007: 'Invalid Frame Payload Data: message data did not match its type',
  1008: 'Policy Violation: a message violated the endpoint policy',
  1009: 'Message Too Big: a message was too big to process',
  1010: 'Mandatory Extension: the server did not negotiate a required extension',
  1011: 'Internal Error: the server met an unexpected condition',
  1012: 'Service Restart: the service is restarting',
  1013: 'Try Again Later: the service is overloaded',
  1014: 'Bad Gateway: a gateway got an invalid response from upstream',
  1015: 'TLS Handshake: the TLS handshake failed',
  3000: 'Unauthorized: the request lacks valid authentication',
  3003: 'Forbidden: the request is understood but refused',
  3008: 'Timeout: the endpoint timed out',
};

/** A human-readable description of a close code, e.g. `describeCloseCode(1012)` is `'Service Restart: the service is restarting'`. */
export function describeCloseCode(code: number): string {
  const known = DESCRIPTIONS[code];
  if (known !== undefined) return known;
  if (!Number.isInteger(code) || code < 0 || code > 4999) return `Invalid: ${code} is not a close code`;
  if (code < 1000) return 'Unused: codes below 1000 are not used';
  if (code < 3000) return 'Reserved: reserved for the WebSocket protocol';
  if (code < 4000) return 'Registered: reserved for libraries, frameworks and applications (IANA)';
  return 'Private Use: defined by the application';
}

/** What the close policy decides for an error: reconnect, or give up. */
export type CloseAction = 'retry' | 'stop';

/**
 * Overrides of the default close policy. Each table is consulted before the
 * defaults, so a user can, for example, retry the application code 4429 or
 * stop on 1001.
 */
export interface ClosePolicyConfig {
  /**
   * Actions per close code of a {@link ConnectionClosedError}. Application
   * codes (3000-4999) stop unless listed here.
   * @default {} (the default table; see {@link defaultCloseAction})
   */
  readonly codes?: Readonly<Record<number, CloseAction>>;
  /**
   * Actions per HTTP status of a {@link HandshakeError}.
   * @default {} (retry 408, 429 and 5xx and an unknown status 0; stop other 4xx and the rest)
   */
  readonly statuses?: Readonly<Record<number, CloseAction>>;
  /**
   * Actions per error code (`RXNOVA_ERR_*`), or per runtime error code of a
   * {@link ConnectError}'s cause (e.g. `ECONNREFUSED`, `CERT_HAS_EXPIRED`).
   * @default {}
   */
  readonly errors?: Readonly<Partial<Record<RxnovaErrorCode, CloseAction>> & Record<string, CloseAction>>;
  /**
   * Least waits per close code of a {@link ConnectionClosedError}, merged over
   * {@link DEFAULT_RETRY_FLOORS}: `reconnect` waits at least the floor of the
   * close that ended the connection, whatever the backoff says. `false`
   * removes a default floor (the backoff alone decides).
   *
   * Floors are read by `reconnect` when its `policy` is this config object;
   * with a policy function or `shouldReconnect`, the default floors apply.
   *
   * @example
   * ```ts
   * // A server that sheds load with 1013 wants 30-60 s; 1012 gets no floor at all.
   * reconnect({ policy: { floors: { 1013: { min: 30_000, jitter: 30_000 }, 1012: false } } });
   * ```
   * @default {} (the defaults: 1013 waits 5000 ms plus up to 2500 ms of jitter; 1012 waits 50 ms plus up to 100 ms)
   */
  readonly floors?: Readonly<Record<number, RetryFloor | false>>;
}

/**
 * The least wait before the next attempt after a close code: `min` ms plus a
 * random part in `[0, jitter)` drawn from `reconnect`'s random source, so that
 * the clients a server turned away together do not come back together. The
 * wait is `max(backoff, floor)` (then raised to a `Retry-After`, and capped at
 * `MAX_DELAY`).
 */
export interface RetryFloor {
  /** The least wait in milliseconds, `>= 0` and at most `MAX_DELAY`. */
  readonly min: number;
  /**
   * The width of the random part added to `min`, in milliseconds (`>= 0`, at most `MAX_DELAY`).
   * @default 0
   */
  readonly jitter?: number;
}

/**
 * The default floors. 1013 Try Again Later (a server shedding load) waits
 * 5 to 7.5 s, never the ordinary first backoff of a few hundred
 * milliseconds; 1012 Service Restart keeps a short, jittered wait of 50 to
 * 150 ms: it changes nothing for the default backoff, but spreads clients
 * whose backoff is near 0 or has no jitter (a constant or step table), so a
 * restarted service is not hit by every client in the same instant. Every
 * other code has no floor: the backoff alone decides.
 */
export const DEFAULT_RETRY_FLOORS: Readonly<Record<number, RetryFloor>> = {
  1012: { min: 50, jitter: 100 },
  1013: { min: 5000, jitter: 2500 },
};

/**
 * The floor that applies to an error: the one of its close code in `floors`
 * (a {@link ClosePolicyConfig}'s `floors`, merged over
 * {@link DEFAULT_RETRY_FLOORS}), or `undefined` when the error is not a
 * {@link ConnectionClosedError} or its code has no floor.
 */
export function retryFloorOf(error: unknown, floors?: ClosePolicyConfig['floors']): RetryFloor | undefined {
  if (errorCodeOf(error) !== 'RXNOVA_ERR_CONNECTION_CLOSED') return undefined;
  const { closeCode } = error as ConnectionClosedError;
  const floor = own(floors, closeCode) ?? DEFAULT_RETRY_FLOORS[closeCode];
  return floor === false ? undefined : floor;
}

/** The value of a table's own entry (never an inherited one such as `constructor`), or `undefined`. */
function own<V>(table: Readonly<Record<PropertyKey, V>> | undefined, key: PropertyKey): V | undefined {
  return table && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/**
 * Checks a table of a {@link ClosePolicyConfig}: an object of `keys` to
 * `entries`, each entry passing `check` under the name `close policy table[key]`.
 */
function checkTable(table: string, value: unknown, keys: string, entries: string, check: (name: string, entry: unknown, expected: string) => void): void {
  const name = 'close policy ' + table;
  if (value === undefined) return;
  if (!isObject(value)) throw mustBe(name, `an object of ${keys} to ${entries}`, value);
  for (const [key, entry] of Object.entries(value)) check(`${name}[${key}]`, entry, entries);
}

const FLOOR = '{ min, jitter } or false';
const ACTION = "'retry' or 'stop'";

const checkFloor = (name: string, floor: unknown, expected: string): void => {
  if (floor === false) return;
  if (!isObject(floor)) throw mustBe(name, expected, floor);
  const { min, jitter = 0 } = floor;
  checkDuration(name + '.min', min, { zero: true });
  checkDuration(name + '.jitter', jitter, { zero: true });
};

const checkAction = (name: string, action: unknown, expected: string): void => {
  if (action !== 'retry' && action !== 'stop') throw mustBe(name, expected, action);
};

/** A decision function: given the error that ended a connection, retry or stop. */
export type ClosePolicy = (error: unknown) => CloseAction;

/** Runtime error codes of TLS certificate problems: no reconnect can cure them. */
const TLS_CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_(?:VERIFY|GET_ISSUER)|HOSTNAME_MISMATCH|ERR_TLS/;

/**
 * The default decision for a close code, as documented in README:
 * retry 1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014; stop on every other
 * code (1002, 1003, 1007-1010, 1015 and the application codes 3000-4999).
 */
export function defaultCloseAction(code: number): CloseAction {
  return [1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014].includes(code) ? 'retry' : 'stop';
}

/** The default decision for a handshake HTTP status: retry 408, 429, 5xx and 0 (status hidden by a browser); stop the rest. */
export function defaultStatusAction(status: number): CloseAction {
  return status === 0 || status === 408 || status === 429 || (status >= 500 && status <= 599) ? 'retry' : 'stop';
}

/**
 * Builds a close policy: a function from the error that ended a connection to
 * `'retry'` or `'stop'`. The defaults:
 *
 * | error | action |
 * | --- | --- |
 * | `ConnectionClosedError` 1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014 | retry |
 * | `ConnectionClosedError` 1002, 1003, 1007, 1008, 1009, 1010, 1015, 3000-4999 | stop |
 * | `HandshakeError` 408, 429, 5xx, 0 (hidden by a browser) | retry |
 * | `HandshakeError` other statuses | stop |
 * | `ConnectError` (refused, reset, DNS failure) | retry |
 * | `ConnectError` caused by a TLS certificate error | stop |
 * | `ConnectError` with `permanent` (the WebSocket constructor threw) | stop |
 * | `ConnectTimeoutError`, `HeartbeatTimeoutError` | retry |
 * | anything else (invalid URL or options, auth, codec, a bug) | stop |
 *
 * A retried close may also have a least wait, its floor (see
 * {@link ClosePolicyConfig.floors} and {@link DEFAULT_RETRY_FLOORS}): 1013
 * waits at least 5 s, 1012 a short jittered 50-150 ms.
 *
 * @example
 * ```ts
 * // Retry the application's "rate limited" code, and stop when the server goes away.
 * const policy = closePolicy({ codes: { 4429: 'retry', 1001: 'stop' } });
 * ```
 */
export function closePolicy(config: ClosePolicyConfig = {}): ClosePolicy {
  const { codes, statuses, errors, floors } = config;
  checkTable('floors', floors, 'close code', FLOOR, checkFloor);
  checkTable('codes', codes, 'close code', ACTION, checkAction);
  checkTable('statuses', statuses, 'HTTP status', ACTION, checkAction);
  checkTable('errors', errors, 'error code', ACTION, checkAction);
  const byError = errors as Readonly<Record<string, CloseAction>> | undefined;
  return (error) => {
    const code = errorCodeOf(error);
    if (code === undefined) return 'stop';
    // The public fields of the error with that code (no `instanceof`: a bundle keeps only the classes it makes).
    const { closeCode, status, permanent, causeCode } = error as { closeCode: number; status: number; permanent?: boolean; causeCode?: string };
    return (
      own(byError, code) ??
      (code === 'RXNOVA_ERR_CONNECTION_CLOSED'
        ? own(codes, closeCode) ?? defaultCloseAction(closeCode)
        : code === 'RXNOVA_ERR_HANDSHAKE'
          ? own(statuses, status) ?? defaultStatusAction(status)
          : code === 'RXNOVA_ERR_CONNECT'
            ? permanent
              ? 'stop'
              : causeCode === undefined
                ? 'retry'
                : own(byError, causeCode) ?? (TLS_CERT_ERROR.test(causeCode) ? 'stop' : 'retry')
            : code === 'RXNOVA_ERR_CONNECT_TIMEOUT' || code === 'RXNOVA_ERR_HEARTBEAT_TIMEOUT'
              ? 'retry'
              : 'stop')
    );
  };
}

/** The default close policy, {@link closePolicy} with no overrides. */
export const defaultClosePolicy: ClosePolicy = /* @__PURE__ */ closePolicy();

/** Whether the default close policy retries this error. The one named predicate deciding retry. */
export function isRetryable(error: unknown): boolean {
  return defaultClosePolicy(error) === 'retry';
}

/**
 * The server's `Retry-After` hint in milliseconds, from a {@link HandshakeError}
 * with status 429 or 503, or `undefined`. The header may be delta-seconds or
 * an HTTP date; a date is measured against `now` (pass the scheduler's
 * `now()`, so virtual time applies). The hint is capped at `MAX_DELAY`
 * (2^31 - 1 ms, about 24.8 days): a longer one would make a timer fire after 1 ms.
 */
export function retryAfterOf(error: unknown, now: number): number | undefined {
  if (errorCodeOf(error) !== 'RXNOVA_ERR_HANDSHAKE') return undefined;
  const { status, headers } = error as HandshakeError;
  const value = (status === 429 || status === 503) && headers?.['retry-after'];
  // An HTTP date starts with a day name ("Sun, 06 Nov 1994 08:49:37 GMT"); without that check
  // Date.parse would read garbage such as "-5" or "1.5" as a date in 2001.
  const ms = typeof value !== 'string' ? NaN : /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : /^\s*[A-Za-z]{3}/.test(value) ? Date.parse(value) - now : NaN;
  return Number.isNaN(ms) ? undefined : capDelay(ms);
}
