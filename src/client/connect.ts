import { asyncScheduler, SchedulerLike } from 'rxjs';
import { InvalidOptionsError } from '../errors';
import { resolveReconnectConfig } from '../operators/reconnect';
import { DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_TIMEOUT } from '../operators/create-heartbeat';
import { DEFAULT_STALL_TIMEOUT } from './connect-options';
import { checkRandom, checkScheduler } from '../invalid';
import { checkDuration } from '../time';
import type { Transport } from '../transport/transport';
import { isTransport } from '../transport/transport';
import { normalizeUrl } from '../transport/url';
import { webSocketTransport } from '../transport/web-socket';
import { Codec, json } from './codec';
import type { ConnectOptions, PerAttempt } from './connect-options';
import { resolveOutboxConfig } from './outbox';
import type { SocketConfig } from './config';
import { isDefinedProtocol } from './define-protocol';
import { isRateLimit } from './rate-limit';
import { RxnovaSocket, Socket } from './socket';

/** The default codec, shared: codecs are stateless. */
const DEFAULT_CODEC: Codec<unknown, unknown> = /* @__PURE__ */ json();

/**
 * @internal Builds a `connect()` whose default transport comes from `defaultTransport`
 * (`webSocketTransport` in 'rxnova', `wsTransport` in 'rxnova/node').
 */
export function createConnect(defaultTransport: (scheduler: SchedulerLike) => Transport) {
  return function connect<In = unknown, Out = unknown>(url: PerAttempt<string>, options: ConnectOptions<In, Out> = {}): Socket<In, Out> {
    return new RxnovaSocket<In, Out>(normalizeOptions(url, options, defaultTransport));
  };
}

/**
 * The resolved defaults, shared by every socket that takes them (resolved on first use): a resolved config is never
 * written, so one object serves ten thousand sockets instead of one each.
 */
let defaultReconnect: ReturnType<typeof resolveReconnectConfig> | undefined;
let defaultOutbox: ReturnType<typeof resolveOutboxConfig> | undefined;
let defaultHeartbeat: SocketConfig<unknown, unknown>['heartbeat'];

/** `null` or the `typeof` a value: how an error message names what it got. */
const kind = (value: unknown): string => (value === null ? 'null' : typeof value);

/** Throws `InvalidOptionsError` for `options.${message}`. */
function invalid(message: string): never {
  throw new InvalidOptionsError(`options.${message}`);
}

/** Checks that `value` is one of two strings. */
function either<T extends string>(name: string, value: T, a: T, b: T): T {
  if (value !== a && value !== b) invalid(`${name} must be '${a}' or '${b}', got ${JSON.stringify(value)}`);
  return value;
}

/** @internal All defaults in one place. */
export function normalizeOptions<In, Out>(
  url: PerAttempt<string>,
  options: ConnectOptions<In, Out>,
  defaultTransport: (scheduler: SchedulerLike) => Transport,
): SocketConfig<In, Out> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(`options must be an object, got ${kind(options)}`);
  }
  const scheduler = options.scheduler === undefined ? asyncScheduler : checkScheduler('options.scheduler', options.scheduler);
  const {
    transport = defaultTransport(scheduler),
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
    random = Math.random,
    protocol,
    auth,
    rateLimit,
    requests = {},
    messagesIncludeChannels = true,
  } = options;
  // defineProtocol() has checked the adapter (withId() and idOf() together, or neither).
  if (protocol !== undefined && !isDefinedProtocol(protocol)) {
    invalid(`protocol must be an adapter made by defineProtocol({ ... }) (jsonRpc() and jsonTopics() are), got ${kind(protocol)}: it brings the channel, request and auth machinery`);
  }
  // The auth option itself is checked by the protocol engine (it runs the auth round), made with the socket.
  if (auth !== undefined && protocol === undefined) {
    invalid('auth needs options.protocol, which recognises the answer: use jsonRpc() or jsonTopics(), or defineProtocol({}) when sending the auth message is enough');
  }
  if (rateLimit !== undefined && !isRateLimit(rateLimit)) {
    invalid(`rateLimit must be made by tokenBucket(), got ${kind(rateLimit)}: use rateLimit: tokenBucket({ ... })`);
  }
  const { timeout: requestTimeout = 30_000, inFlight = 'fail' } = requests;
  checkDuration('options.requests.timeout', requestTimeout, { infinity: true });
  either('requests.inFlight', inFlight, 'fail', 'resend');
  if (typeof messagesIncludeChannels !== 'boolean') invalid(`messagesIncludeChannels must be a boolean, got ${kind(messagesIncludeChannels)}`);
  if (!isTransport(transport)) {
    invalid("transport must be a Transport (an object with open() and capabilities): use webSocketTransport() from 'rxnova' or wsTransport() from 'rxnova/node'");
  }
  if (typeof url !== 'function') url = normalizeUrl(url);
  if (typeof codec !== 'object' || codec === null || typeof codec.encode !== 'function' || typeof codec.decode !== 'function') {
    invalid('codec must have encode() and decode(): use json(), text(), binary() or your own { encode, decode }');
  }
  either('decodeErrors', decodeErrors, 'skip', 'fatal');
  if (typeof lazy !== 'boolean' && (typeof lazy !== 'object' || lazy === null)) invalid(`lazy must be a boolean or { closeDelay }, got ${kind(lazy)}`);
  const lazyCloseDelay = checkDuration('options.lazy.closeDelay', typeof lazy === 'object' ? (lazy.closeDelay ?? 0) : 0, { zero: true });
  checkRandom('options.random', random);
  const { highWaterMark = 1024 * 1024, pollInterval = 10 } = backpressure;
  checkDuration('options.backpressure.pollInterval', pollInterval);
  if (typeof highWaterMark !== 'number' || !(highWaterMark > 0)) {
    invalid(`backpressure.highWaterMark must be a positive number of bytes, got ${String(highWaterMark)}`);
  }

  let heartbeatConfig: SocketConfig<In, Out>['heartbeat'];
  if (heartbeat !== false) {
    const {
      interval = DEFAULT_HEARTBEAT_INTERVAL,
      timeout = DEFAULT_HEARTBEAT_TIMEOUT,
      stallTimeout = DEFAULT_STALL_TIMEOUT,
      ping: givenPing,
      isPong: givenIsPong,
    } = heartbeat ?? {};
    const canPing = transport.capabilities.ping;
    // Application pings from the protocol only where the transport cannot send ping frames.
    const ping = givenPing ?? (!canPing && protocol?.ping !== undefined ? () => protocol.ping!() : undefined);
    const isPong = givenIsPong ?? (protocol?.isPong === undefined ? undefined : (message: In) => protocol.isPong!(message));
    checkDuration('options.heartbeat.interval', interval);
    checkDuration('options.heartbeat.timeout', timeout);
    checkDuration('options.heartbeat.stallTimeout', stallTimeout);
    if (isPong !== undefined && typeof isPong !== 'function') invalid(`heartbeat.isPong must be a function, got ${kind(isPong)}`);
    if (ping !== undefined || canPing) {
      heartbeatConfig =
        heartbeat === undefined && ping === undefined && isPong === undefined
          ? ((defaultHeartbeat ??= { interval, timeout, stallTimeout, ping: undefined, isPong: undefined }) as SocketConfig<In, Out>['heartbeat'])
          : { interval, timeout, stallTimeout, ping, isPong };
    } else if (heartbeat !== undefined) {
      invalid(
        `heartbeat needs a ping message: transport "${transport.name}" cannot send ping frames, so give heartbeat.ping (an application-level ping) and heartbeat.isPong, or set heartbeat: false`,
      );
    }
  }

  // One normalisation of the reconnect config, the operator's own: an invalid value is refused here, at once.
  const reconnectConfig =
    reconnect === false
      ? false
      : options.reconnect === undefined && scheduler === asyncScheduler && random === Math.random
        ? (defaultReconnect ??= resolveReconnectConfig({ scheduler, random }))
        : typeof reconnect === 'number'
          ? resolveReconnectConfig({ maxAttempts: reconnect, scheduler, random })
          : typeof reconnect === 'object' && reconnect !== null
            ? resolveReconnectConfig({ scheduler, random, ...reconnect })
            : invalid(`reconnect must be a reconnect config, a number of attempts or false, got ${String(reconnect)}`);
  if (headers !== undefined && !transport.capabilities.headers) {
    invalid(
      `headers cannot be sent by transport "${transport.name}" (browsers allow no custom headers on a WebSocket upgrade): pass credentials in the URL or an auth message, or use wsTransport() from 'rxnova/node'`,
    );
  }

  return {
    url,
    transport,
    protocols,
    headers,
    codec,
    decodeErrors,
    reconnect: reconnectConfig,
    heartbeat: heartbeatConfig,
    connectTimeout: checkDuration('options.connectTimeout', connectTimeout, { zero: true }),
    closeTimeout: checkDuration('options.closeTimeout', closeTimeout, { zero: true }),
    outbox: outbox === undefined ? (defaultOutbox ??= resolveOutboxConfig(undefined)) : resolveOutboxConfig(outbox),
    highWaterMark,
    pollInterval,
    lazy: lazy !== false,
    lazyCloseDelay,
    scheduler,
    random,
    protocol,
    auth,
    limiter: rateLimit?.start(scheduler),
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
export const connect = /* @__PURE__ */ createConnect((scheduler) => webSocketTransport({ scheduler }));
