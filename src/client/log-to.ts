import type { Observer } from 'rxjs';
import { InvalidOptionsError, RxnovaError } from '../errors';
import type { SocketEvent, SocketEventType } from './events';

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
   * Field names (case-insensitive) whose values are replaced by `[redacted]`
   * wherever they appear in logged details, in addition to the built-in
   * `authorization`, `proxy-authorization`, `cookie`, `set-cookie`,
   * `password`, `token`, `secret`, and secret-looking URL query parameters.
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
  'late-response': 'warn',
  'callback-error': 'error',
  'source-error': 'warn',
};

const SECRET_FIELDS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'password', 'token', 'secret'];
const SECRET_QUERY = /([?&](?:access_token|token|auth|authorization|key|api_key|apikey|password|secret|signature|sig|jwt|session)=)[^&#\s]*/gi;
const REDACTED = '[redacted]';

/** Replaces secret-looking query parameter values in a URL-like string. */
export function redactUrl(text: string): string {
  return text.replace(SECRET_QUERY, `$1${REDACTED}`);
}

function redactValue(value: unknown, secret: ReadonlySet<string>, depth: number): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (typeof value !== 'object' || value === null || depth > 4) return value;
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: redactUrl(value.message) };
    if (value instanceof RxnovaError) out['code'] = value.code;
    for (const key of Object.keys(value)) {
      if (key === 'name' || key === 'message' || key === 'stack') continue;
      out[key] = secret.has(key.toLowerCase()) ? REDACTED : redactValue((value as unknown as Record<string, unknown>)[key], secret, depth + 1);
    }
    return out;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secret, depth + 1));
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = secret.has(key.toLowerCase()) ? REDACTED : redactValue(item, secret, depth + 1);
  }
  return out;
}

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
    case 'backpressure':
      return event.paused
        ? `writing paused: ${event.bufferedAmount} bytes buffered in the socket`
        : `writing resumed: ${event.bufferedAmount} bytes buffered in the socket`;
  }
}

function errorText(error: unknown): string {
  return redactUrl(error instanceof Error ? error.message : String(error));
}

/**
 * An Observer of `events$` that writes to any console-like logger at the
 * levels you choose, with secrets redacted (Authorization and Cookie headers,
 * tokens in URL queries, and the fields you name). It is a plain subscriber:
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
  const secret = new Set([...SECRET_FIELDS, ...redact.map((name) => name.toLowerCase())]);
  return {
    next(event) {
      const eventLevel = table[event.type];
      if (eventLevel === false || eventLevel === undefined || RANK[eventLevel] < least) return;
      const write = logger[eventLevel] ?? logger.info;
      if (write === undefined) return;
      const { type: _type, ...details } = event;
      write.call(logger, `${prefix} ${redactUrl(describe(event))}`, redactValue(details, secret, 0) as Record<string, unknown>);
    },
    error() {},
    complete() {},
  };
}
