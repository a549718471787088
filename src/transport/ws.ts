import type { SecureContextOptions } from 'tls';
import { asyncScheduler, SchedulerLike } from 'rxjs';
import WebSocket from 'ws';
import { InvalidOptionsError } from '../errors';
import { checkScheduler } from '../invalid';
import { DrainableSocketConnection } from './drain';
import {
  checkHandshakeTimeout,
  DEFAULT_HANDSHAKE_TIMEOUT,
  resolveRequest,
  SocketDialer,
  SocketDriver,
  SocketSession,
} from './socket-connection';
import { finishRequest, WsSocket } from './ws-socket';
import type { Transport, TransportCapabilities, TransportConnection, TransportRequest } from './transport';

/** Sixteen mebibytes: the default limit of an inbound message. */
const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;

/** Tuning of the permessage-deflate extension (RFC 7692) offered to the server. */
export interface WsPerMessageDeflateOptions {
  /**
   * Ask the server not to keep its compression context between messages.
   * @default false
   */
  readonly serverNoContextTakeover?: boolean;
  /**
   * Do not keep this side's compression context between messages.
   * @default false
   */
  readonly clientNoContextTakeover?: boolean;
  /**
   * The server's LZ77 window size, 8 to 15 bits.
   * @default 15 (not offered)
   */
  readonly serverMaxWindowBits?: number;
  /**
   * This side's LZ77 window size, 8 to 15 bits.
   * @default 15
   */
  readonly clientMaxWindowBits?: number;
  /**
   * Messages smaller than this many bytes are sent uncompressed.
   * @default 1024
   */
  readonly threshold?: number;
  /**
   * How many zlib operations may run at once.
   * @default 10
   */
  readonly concurrencyLimit?: number;
}

/** Options of {@link wsTransport}. */
export interface WsTransportOptions {
  /**
   * Certificate authorities to trust (PEM), replacing Node's bundled list;
   * for a server with a private or self-signed certificate.
   * @default undefined (Node's bundled root certificates)
   */
  readonly ca?: SecureContextOptions['ca'];
  /**
   * A client certificate chain (PEM), for servers that ask for one.
   * @default undefined
   */
  readonly cert?: SecureContextOptions['cert'];
  /**
   * The private key of `cert` (PEM).
   * @default undefined
   */
  readonly key?: SecureContextOptions['key'];
  /**
   * The passphrase of `key`.
   * @default undefined
   */
  readonly passphrase?: string;
  /**
   * Verify the server's certificate. Leave this on outside tests: a
   * certificate error then fails with `ConnectError` whose `causeCode` is
   * Node's code (such as `DEPTH_ZERO_SELF_SIGNED_CERT`), which the default
   * close policy does not retry.
   * @default true
   */
  readonly rejectUnauthorized?: boolean;
  /**
   * The TLS server name (SNI) to send and to check the certificate against.
   * @default the URL's host name (none for an IP address)
   */
  readonly servername?: string;
  /**
   * Offer permessage-deflate compression. Off by default: it costs CPU and
   * memory per socket and only pays off for large, repetitive messages.
   * @default false
   */
  readonly perMessageDeflate?: boolean | WsPerMessageDeflateOptions;
  /**
   * The largest inbound message in bytes. A bigger one closes the socket
   * with 1009 (Message Too Big) and `events` errors with
   * `ConnectionClosedError`. (`ws` itself defaults to 100 MiB.)
   * @default 16 * 1024 * 1024 (16 MiB)
   */
  readonly maxPayload?: number;
  /**
   * Milliseconds the opening handshake (TCP, TLS and HTTP upgrade) may take
   * before `events` errors with `ConnectTimeoutError`; 0 disables it. A
   * request's own `handshakeTimeout` overrides it. The timer runs on
   * `scheduler`.
   * @default 10000
   */
  readonly handshakeTimeout?: number;
  /**
   * Follow HTTP redirects (3xx with a `Location`) during the opening
   * handshake, up to 10.
   * @default false
   */
  readonly followRedirects?: boolean;
  /**
   * The scheduler of each connection's timers (the handshake timeout), for
   * requests that do not bring their own `scheduler` (`connect()` passes
   * its own). A virtual-time scheduler in tests.
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
}

const CAPABILITIES: TransportCapabilities = Object.freeze({ ping: true, headers: true });

/**
 * A {@link Transport} on the Node.js `ws` package: sends and reports ping and
 * pong frames (answering pings by itself), sends custom upgrade headers,
 * passes TLS options through, and reports a refused handshake as
 * `HandshakeError` with the HTTP status and headers. Only in `rxnova/node`.
 *
 * Received binary data is a plain `Uint8Array` (a view on `ws`'s buffer, not
 * a copy); text is a string. Its connections have `drained()`, driven by
 * `ws`'s send callback (no polling): the wait is checked each time one of
 * this connection's writes has left the socket (ws's own answers to pings
 * carry no callback, so a threshold of a few bytes or more is safest).
 *
 * Needs `ws` 8.16 or later 8.x (8.16 added `autoPong`; tested with 8.16.0 and 8.23.0). Two private parts of
 * `ws` are used only when present, with a fallback otherwise: the TCP socket
 * (`_socket`, corked to batch a burst of sends; else plain sends) and the
 * closing-handshake flags (`_closeFrameReceived`, `_closeFrameSent`, for
 * `wasClean`; else `wasClean` is true unless ws reports 1006, no close frame).
 *
 * ```
 * events (frames.complete() at c):   ---o--f--f----c--x|
 * events (server closes with 4000):  ---o--f--f--x#
 *
 * o: { type: 'open' }  f: { type: 'frame' }  x: { type: 'close' }
 * #: ConnectionClosedError(4000)
 * ```
 *
 * A socket that never opened emits no close event: `events` just errors
 * (`ConnectError`, `HandshakeError`, `ConnectTimeoutError`). Unsubscribing
 * closes an open socket with 1000, aborts a connecting one, and drops one
 * still waiting for the peer's answer to this side's close.
 *
 * @example
 * ```ts
 * import { wsTransport } from 'rxnova/node';
 *
 * const transport = wsTransport({ ca: readFileSync('ca.pem'), maxPayload: 1024 * 1024 });
 * const connection = transport.open({ url: 'wss://example.com/socket', headers: { authorization: `Bearer ${token}` } });
 * connection.events.subscribe((event) => {
 *   if (event.type === 'open') connection.frames.next({ type: 'text', data: 'hello' });
 *   if (event.type === 'frame') console.log(event.frame);
 * });
 * ```
 */
export function wsTransport(options: WsTransportOptions = {}): Transport {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(`wsTransport() takes an options object, got ${String(options)}`);
  }
  const {
    rejectUnauthorized = true,
    perMessageDeflate = false,
    maxPayload = DEFAULT_MAX_PAYLOAD,
    handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT,
    followRedirects = false,
    scheduler = asyncScheduler,
  } = options;
  if (!Number.isSafeInteger(maxPayload) || maxPayload <= 0) {
    throw new InvalidOptionsError(`maxPayload must be a positive whole number of bytes, got ${String(maxPayload)}`);
  }
  const defaultTimeout = checkHandshakeTimeout(handshakeTimeout, 'handshakeTimeout');
  const checkedScheduler = checkScheduler('wsTransport: scheduler', scheduler);
  // ws hands these to https.request and tls.connect unchanged (`servername` included, though its typings omit it).
  const tls: Pick<WsTransportOptions, (typeof TLS_OPTIONS)[number]> = {};
  // Stryker disable next-line ConditionalExpression: equivalent as `true`, an option left undefined is no option to TLS (only the sharing below is lost)
  for (const name of TLS_OPTIONS) if (options[name] !== undefined) (tls as Record<string, unknown>)[name] = options[name];
  const usesDefaults =
    Object.keys(tls).length === 0 &&
    rejectUnauthorized === true &&
    perMessageDeflate === false &&
    maxPayload === DEFAULT_MAX_PAYLOAD &&
    followRedirects === false;
  const clientOptions: WebSocket.ClientOptions = usesDefaults
    ? DEFAULT_CLIENT_OPTIONS
    : {
        ...tls,
        rejectUnauthorized,
        perMessageDeflate: deflateOption(perMessageDeflate),
        maxPayload,
        followRedirects,
        autoPong: true,
        finishRequest,
      };
  return new WsTransport(clientOptions, defaultTimeout, checkedScheduler);
}

/** permessage-deflate as ws takes it: `false` (not offered), or a copy of the tuning (`{}` for `true`). */
function deflateOption(option: boolean | WsPerMessageDeflateOptions): false | WsPerMessageDeflateOptions {
  if (option === false) return false;
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent, `{ ...true }` is `{}` too (and option is not false here)
  return option === true ? {} : { ...option };
}

/** The options handed to TLS as they are, when given. */
const TLS_OPTIONS = ['ca', 'cert', 'key', 'passphrase', 'servername'] as const;

/** The ws client options of a `wsTransport()` with no TLS, compression, payload or redirect options: shared by all. */
const DEFAULT_CLIENT_OPTIONS: WebSocket.ClientOptions = Object.freeze({
  rejectUnauthorized: true,
  perMessageDeflate: false,
  maxPayload: DEFAULT_MAX_PAYLOAD,
  followRedirects: false,
  autoPong: true,
  finishRequest,
});

/** The transport, and the dialer of its connections (one object: nothing per connection). */
class WsTransport implements Transport, SocketDialer {
  // Constants on the prototype: nothing per transport but its options.
  get name(): string {
    return 'ws';
  }

  get capabilities(): TransportCapabilities {
    return CAPABILITIES;
  }

  // Stryker disable next-line BlockStatement: equivalent, an empty getter returns undefined too
  get controlFramesUnsupported(): string | undefined {
    return undefined;
  }

  constructor(
    private readonly clientOptions: WebSocket.ClientOptions,
    private readonly handshakeTimeout: number,
    readonly scheduler: SchedulerLike,
  ) {}

  open(request: TransportRequest): TransportConnection {
    return new DrainableSocketConnection(this, resolveRequest(request, this.handshakeTimeout, this.scheduler));
  }

  dial(session: SocketSession): SocketDriver {
    const { url, protocols, headers } = session.connection;
    // Stryker disable next-line ConditionalExpression: equivalent as `false`, ws treats `headers: undefined` as none (only an object is saved)
    const options = headers === undefined ? this.clientOptions : { ...this.clientOptions, headers };
    // Stryker disable next-line ConditionalExpression: equivalent as `false`, ws treats an empty list as no subprotocol
    return new WsSocket(session, url, protocols.length === 0 ? undefined : protocols, options);
  }
}
