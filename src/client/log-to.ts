import type { Observer } from 'rxjs';
import { InvalidOptionsError } from '../errors';
import { lowerSet, redactText, redactValue } from '../redact';
import type { SocketEvent, SocketEventType } from './events';

export { redactUrl } from '../redact';

/** A level a logger has; `console` has all four. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Anything console-like: an object with some of `debug`, `info`, `warn`, `error`. */
export type Logger = { readonly [L in LogLevel]?: (message: string, details?: Record<string, unknown>) => void };

/** Options of {@link logTo}. */
export interface LogToConfig {
  /**
   * The least level written; events below it are skipped before anything is formatted.
   * @default 'info'
   */
  readonly level?: LogLevel;
  /**
   * Per event type, the level to write it at, or `false` to skip it. Merged over the defaults.
   * @default { connecting: 'debug', opened: 'info', closed: 'info', 'reconnect-scheduled': 'warn', 'gave-up': 'error', sent: 'debug', received: 'debug', dropped: 'warn', 'decode-error': 'warn', 'heartbeat-timeout': 'warn', rtt: 'debug', backpressure: 'info', authenticated: 'info', 'late-response': 'warn' }
   */
  readonly levels?: Partial<Record<SocketEventType, LogLevel | false>>;
  /**
   * More names (exact, case-insensitive) of fields and URL query parameters
   * whose values are replaced by `[redacted]` wherever they appear, at any
   * depth. They add to the built-in rule, which redacts every name that
   * contains token, secret, password, passwd, signature, credential, session,
   * sessid, auth, apikey / api-key / api_key, cookie, private key or access
   * key, and the exact names `code` (a string one), `key`, `sig`, `sid`, `jwt`, `pwd`, `pass`
   * (see `isSecretName`). URLs always lose their userinfo (`user:password@`),
   * and values nested deeper than 8 levels are redacted, never passed through.
   * @default []
   */
  readonly redact?: readonly string[];
  /**
   * Text put before every message.
   * @default '[rxnova]'
   */
  readonly prefix?: string;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

const DEFAULT_LEVELS: Record<SocketEventType, LogLevel | false> = {
  connecting: 'debug',
  opened: 'info',
  closed: 'info',
  'reconnect-scheduled': 'warn',
  'gave-up': 'error',
  sent: 'debug',
  received: 'debug',
  dropped: 'warn',
  'decode-error': 'warn',
  'heartbeat-timeout': 'warn',
  rtt: 'debug',
  backpressure: 'info',
  authenticated: 'info',
  requeued: 'info',
  'late-response': 'warn',
  'callback-error': 'error',
  'source-error': 'warn',
};

function describe(event: SocketEvent): string {
  switch (event.type) {
    case 'connecting':
      return `connecting to ${event.url} (attempt ${event.attempt})`;
    case 'opened':
      return `open ${event.url}${event.protocol ? ` (${event.protocol})` : ''} after ${event.connectTime} ms (attempt ${event.attempt})`;
    case 'closed':
      return `closed by ${event.initiator}: code ${event.code}${event.reason ? ` "${event.reason}"` : ''}${event.wasClean ? '' : ', not clean'}`;
    case 'reconnect-scheduled':
      return `reconnecting in ${event.delay} ms (attempt ${event.attempt}): ${errorText(event.error)}`;
    case 'gave-up':
      return `gave up: ${errorText(event.error)}`;
    case 'sent':
      return `sent ${event.kind} ${event.bytes} bytes`;
    case 'received':
      return `received ${event.kind} ${event.bytes} bytes`;
    case 'dropped':
      return `dropped a message (${event.bytes} bytes): ${event.reason}${event.error === undefined ? '' : `: ${errorText(event.error)}`}`;
    case 'callback-error':
      return `${event.source} threw: ${errorText(event.error)}`;
    case 'source-error':
      return `a stream piped into the socket failed: ${errorText(event.error)}`;
    case 'decode-error':
      return `skipped a ${event.kind} frame of ${event.bytes} bytes: ${event.error.message}`;
    case 'heartbeat-timeout':
      return `no sign of life within ${event.timeout} ms of a ping: terminating the socket`;
    case 'rtt':
      return `heartbeat round trip ${event.rtt} ms`;
    case 'authenticated':
      return `${event.refresh ? 're-authenticated' : 'authenticated'}${event.expiresIn === undefined ? '' : ` (expires in ${event.expiresIn} ms)`}`;
    case 'late-response':
      return `a response arrived for request ${String(event.id)} after it was abandoned (timed out or unsubscribed)`;
    case 'requeued':
      return `${event.count} message${event.count === 1 ? '' : 's'} had not left when the connection ended: queued to send again`;
    case 'backpressure':
      return event.paused
        ? `writing paused: ${event.bufferedAmount} bytes buffered in the socket`
        : `writing resumed: ${event.bufferedAmount} bytes buffered in the socket`;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An Observer of `events$` that writes to any console-like logger at the
 * levels you choose, with secrets redacted from the message and the details:
 * userinfo in URLs, secret-looking query parameters and fields at any depth
 * (Authorization and Cookie headers, tokens, signatures, session ids, ...,
 * see `isSecretName`), and the names you add. It is a plain subscriber:
 * logging costs nothing when you do not subscribe it.
 *
 * @example
 * ```ts
 * socket.events$.subscribe(logTo(console, { level: 'debug', redact: ['apiKey'] }));
 * // [rxnova] open ws://example.com/feed?token=[redacted] after 12 ms (attempt 0)
 * ```
 */
export function logTo(logger: Logger, config: LogToConfig = {}): Observer<SocketEvent> {
  if (typeof logger !== 'object' || logger === null) {
    throw new InvalidOptionsError(`logTo(logger): logger must be console-like (an object with debug/info/warn/error), got ${logger === null ? 'null' : typeof logger}`);
  }
  const { level = 'info', levels = {}, redact = [], prefix = '[rxnova]' } = config;
  if (!(level in RANK)) throw new InvalidOptionsError(`logTo: level must be one of debug, info, warn, error, got ${JSON.stringify(level)}`);
  const table = { ...DEFAULT_LEVELS, ...levels };
  const least = RANK[level];
  if (!Array.isArray(redact) || !redact.every((name) => typeof name === 'string')) {
    throw new InvalidOptionsError('logTo: redact must be an array of field and query parameter names');
  }
  // Stryker disable next-line ConditionalExpression: equivalent as `false`, an empty set of extra names redacts what undefined does (undefined only skips a lookup)
  const extra = redact.length === 0 ? undefined : lowerSet(redact);
  return {
    next(event) {
      const eventLevel = table[event.type];
      if (eventLevel === false || eventLevel === undefined || RANK[eventLevel] < least) return;
      const write = logger[eventLevel] ?? logger.info;
      if (write === undefined) return;
      const { type: _type, ...details } = event;
      write.call(logger, `${prefix} ${redactText(describe(event), extra)}`, redactValue(details, extra) as Record<string, unknown>);
    },
    error() {},
    complete() {},
  };
}
