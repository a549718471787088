import { asyncScheduler } from 'rxjs';
import { InvalidOptionsError } from '../errors';
import type { Transport } from '../transport/transport';
import { isTransport } from '../transport/transport';
import { normalizeUrl } from '../transport/url';
import { webSocketTransport } from '../transport/web-socket';
import { Codec, json } from './codec';
import type { ConnectOptions, PerAttempt } from './connect-options';
import { resolveOutboxConfig } from './outbox';
import { RxnovaSocket, Socket, SocketConfig } from './socket';

/** The default codec, shared: codecs are stateless. */
const DEFAULT_CODEC: Codec<unknown, unknown> = /* @__PURE__ */ json();

function checkDuration(name: string, value: number, allowZero: boolean): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowZero && value === 0) || value === Infinity) {
    throw new InvalidOptionsError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/**
 * @internal Builds a `connect()` whose default transport comes from `defaultTransport`
 * (`webSocketTransport` in 'rxnova', `wsTransport` in 'rxnova/node').
 */
export function createConnect(defaultTransport: () => Transport) {
  return function connect<In = unknown, Out = unknown>(url: PerAttempt<string>, options: ConnectOptions<In, Out> = {}): Socket<In, Out> {
    return new RxnovaSocket<In, Out>(normalizeOptions(url, options, defaultTransport));
  };
}

/** @internal All defaults in one place. */
export function normalizeOptions<In, Out>(
  url: PerAttempt<string>,
  options: ConnectOptions<In, Out>,
  defaultTransport: () => Transport,
): SocketConfig<In, Out> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(`options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const {
    transport = defaultTransport(),
    protocols,
    headers,
    codec = DEFAULT_CODEC as NonNullable<ConnectOptions<In, Out>['codec']>,
    decodeErrors = 'skip',
    reconnect = {},
    heartbeat,
    connectTimeout = 10_000,
    closeTimeout = 5_000,
    outbox,
    backpressure = {},
    lazy = false,
    scheduler = asyncScheduler,
    random = Math.random,
    protocol,
    auth,
    rateLimit,
    requests = {},
    messagesIncludeChannels = true,
  } = options;
  if (protocol !== undefined && (typeof protocol !== 'object' || protocol === null)) {
    throw new InvalidOptionsError('options.protocol must be a protocol adapter object: use jsonRpc(), jsonTopics() or your own Protocol');
  }
  if (protocol !== undefined && (protocol.withId === undefined) !== (protocol.idOf === undefined)) {
    throw new InvalidOptionsError('options.protocol must have both withId() and idOf() to correlate responses, or neither');
  }
  let resolvedAuth: SocketConfig<In, Out>['auth'];
  if (auth !== undefined) {
    const { message, timeout: authTimeout = 10_000, refreshBefore = 5_000 } = typeof auth === 'function' ? { message: auth } : auth;
    if (typeof message !== 'function') {
      throw new InvalidOptionsError('options.auth must be a function returning the auth message (or an Observable of it), or { message, timeout, refreshBefore }');
    }
    resolvedAuth = {
      message,
      timeout: checkDuration('options.auth.timeout', authTimeout, false),
      refreshBefore: checkDuration('options.auth.refreshBefore', refreshBefore, true),
    };
  }
  const { timeout: requestTimeout = 30_000, inFlight = 'fail' } = requests;
  if (typeof requestTimeout !== 'number' || !(requestTimeout > 0)) {
    throw new InvalidOptionsError(`options.requests.timeout must be a positive number of ms, got ${String(requestTimeout)}`);
  }
  if (inFlight !== 'fail' && inFlight !== 'resend') {
    throw new InvalidOptionsError(`options.requests.inFlight must be 'fail' or 'resend', got ${JSON.stringify(inFlight)}`);
  }
  if (typeof messagesIncludeChannels !== 'boolean') {
    throw new InvalidOptionsError(`options.messagesIncludeChannels must be a boolean, got ${typeof messagesIncludeChannels}`);
  }
  if (!isTransport(transport)) {
    throw new InvalidOptionsError(
      "options.transport must be a Transport (an object with open() and capabilities): use webSocketTransport() from 'rxnova' or wsTransport() from 'rxnova/node'",
    );
  }
  if (typeof url !== 'function') url = normalizeUrl(url);
  if (typeof codec !== 'object' || codec === null || typeof codec.encode !== 'function' || typeof codec.decode !== 'function') {
    throw new InvalidOptionsError('options.codec must have encode() and decode(): use json(), text(), binary() or your own { encode, decode }');
  }
  if (decodeErrors !== 'skip' && decodeErrors !== 'fatal') {
    throw new InvalidOptionsError(`options.decodeErrors must be 'skip' or 'fatal', got ${JSON.stringify(decodeErrors)}`);
  }
  if (typeof lazy !== 'boolean') throw new InvalidOptionsError(`options.lazy must be a boolean, got ${typeof lazy}`);
  if (typeof random !== 'function') throw new InvalidOptionsError(`options.random must be a function returning [0, 1), got ${typeof random}`);
  const { highWaterMark = 1024 * 1024, pollInterval = 10 } = backpressure;
  checkDuration('options.backpressure.pollInterval', pollInterval, false);
  if (typeof highWaterMark !== 'number' || !(highWaterMark > 0)) {
    throw new InvalidOptionsError(`options.backpressure.highWaterMark must be a positive number of bytes, got ${String(highWaterMark)}`);
  }

  let heartbeatConfig: SocketConfig<In, Out>['heartbeat'];
  if (heartbeat !== false) {
    const { interval = 30_000, timeout = 10_000, ping: givenPing, isPong: givenIsPong } = heartbeat ?? {};
    // Application pings from the protocol only where the transport cannot send ping frames.
    const appPing = givenPing === undefined && !transport.capabilities.ping && protocol?.ping !== undefined ? () => protocol.ping!() : undefined;
    const ping = givenPing ?? appPing;
    const isPong = givenIsPong ?? (protocol?.isPong === undefined ? undefined : (message: In) => protocol.isPong!(message));
    checkDuration('options.heartbeat.interval', interval, false);
    checkDuration('options.heartbeat.timeout', timeout, false);
    if (isPong !== undefined && typeof isPong !== 'function') {
      throw new InvalidOptionsError(`options.heartbeat.isPong must be a function, got ${typeof isPong}`);
    }
    if (ping !== undefined || transport.capabilities.ping) {
      heartbeatConfig = { interval, timeout, ping, isPong };
    } else if (heartbeat !== undefined) {
      throw new InvalidOptionsError(
        `options.heartbeat needs a ping message: transport "${transport.name}" cannot send ping frames, so give heartbeat.ping (an application-level ping) and heartbeat.isPong, or set heartbeat: false`,
      );
    }
  }

  let reconnectConfig: SocketConfig<In, Out>['reconnect'];
  if (reconnect === false) reconnectConfig = false;
  else if (typeof reconnect === 'number') reconnectConfig = { maxAttempts: reconnect };
  else if (typeof reconnect === 'object' && reconnect !== null) reconnectConfig = reconnect;
  else throw new InvalidOptionsError(`options.reconnect must be a reconnect config, a number of attempts or false, got ${String(reconnect)}`);

  return {
    url,
    transport,
    protocols,
    headers,
    codec,
    decodeErrors,
    reconnect: reconnectConfig,
    heartbeat: heartbeatConfig,
    connectTimeout: checkDuration('options.connectTimeout', connectTimeout, true),
    closeTimeout: checkDuration('options.closeTimeout', closeTimeout, true),
    outbox: resolveOutboxConfig(outbox),
    highWaterMark,
    pollInterval,
    lazy,
    scheduler,
    random,
    protocol,
    auth: resolvedAuth,
    rateLimit,
    requestTimeout,
    inFlight,
    messagesIncludeChannels,
  };
}

/**
 * Opens a WebSocket that stays connected across failures: reconnection with
 * backoff, a bounded outbox, heartbeats, connection state and telemetry.
 *
 * The default transport is the runtime's WebSocket (`webSocketTransport()`);
 * on Node import `connect` from `'rxnova/node'` to use `ws`.
 *
 * @example
 * ```ts
 * import { connect } from 'rxnova';
 *
 * const socket = connect<Ticker, Command>('wss://example.com/feed', {
 *   reconnect: { maxElapsed: 5 * 60_000 },
 *   heartbeat: { ping: { type: 'ping' }, isPong: (m) => m.type === 'pong' },
 * });
 * socket.state$.subscribe((s) => console.log(s.status));
 * socket.messages$.subscribe((ticker) => render(ticker));
 * socket.send({ type: 'hello' }); // queued until open, then flushed in order
 * ```
 */
export const connect = /* @__PURE__ */ createConnect(() => webSocketTransport());
