import type { IncomingHttpHeaders } from 'http';
import type { SecureContextOptions } from 'tls';
import { asyncScheduler, SchedulerLike } from 'rxjs';
import WebSocket from 'ws';
import { ConnectError, errorCodeOf, HandshakeError, InvalidOptionsError } from '../errors';
import {
  checkHandshakeTimeout,
  checkScheduler,
  DEFAULT_HANDSHAKE_TIMEOUT,
  resolveRequest,
  SocketConnection,
  SocketDriver,
  SocketSession,
} from './socket-connection';
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
   * The scheduler of the handshake timeout (a virtual-time scheduler in tests).
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
 * a copy); text is a string.
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
    ca,
    cert,
    key,
    passphrase,
    rejectUnauthorized = true,
    servername,
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
  const checkedScheduler = checkScheduler(scheduler);
  // ws hands these to https.request and tls.connect unchanged (`servername` included, though its typings omit it).
  const base: WebSocket.ClientOptions & { servername?: string } = {
    rejectUnauthorized,
    perMessageDeflate: perMessageDeflate === true ? {} : perMessageDeflate === false ? false : { ...perMessageDeflate },
    maxPayload,
    followRedirects,
    autoPong: true,
  };
  if (ca !== undefined) base.ca = ca;
  if (cert !== undefined) base.cert = cert;
  if (key !== undefined) base.key = key;
  if (passphrase !== undefined) base.passphrase = passphrase;
  if (servername !== undefined) base.servername = servername;

  return {
    name: 'ws',
    capabilities: CAPABILITIES,
    open(request: TransportRequest): TransportConnection {
      const resolved = resolveRequest(request, defaultTimeout);
      const clientOptions: WebSocket.ClientOptions =
        resolved.headers === undefined ? base : { ...base, headers: resolved.headers };
      return new SocketConnection({
        ...resolved,
        scheduler: checkedScheduler,
        controlFramesUnsupported: undefined,
        dial: (session) => dialWs(session, clientOptions),
      });
    },
  };
}

function dialWs(session: SocketSession, clientOptions: WebSocket.ClientOptions): SocketDriver {
  const { url, protocols } = session.spec;
  const socket = new WebSocket(url, protocols, clientOptions);
  // 'nodebuffer' (the default) is the fastest: 'arraybuffer' would copy every message that is a slice of a larger read.
  let upgrade: IncomingHttpHeaders | undefined;

  socket.on('open', () => session.onOpen(socket.protocol, socket.extensions));
  socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
    // With binaryType 'nodebuffer' the data is always one Buffer.
    const buffer = data as Buffer;
    if (isBinary) session.onBinary(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
    else session.onText(buffer.toString(), buffer.byteLength);
  });
  socket.on('ping', (data: Buffer) => session.onPing(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
  socket.on('pong', (data: Buffer) => session.onPong(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
  socket.on('upgrade', (response) => {
    upgrade = response.headers;
  });
  socket.on('unexpected-response', (_request, response) => {
    // Handled here, ws leaves the request open: failing the session tears down, which aborts it.
    session.fail(new HandshakeError(response.statusCode ?? 0, lowerCaseHeaders(response.headers)));
  });
  // The code ws closed with after the peer broke the protocol (e.g. 1009 for a message over maxPayload).
  let failedWith: number | undefined;
  // Stays attached for the socket's whole life: ws throws an 'error' nobody listens to (e.g. after terminate()).
  socket.on('error', (error: Error) => {
    if (session.opened) {
      failedWith ??= protocolCloseCode(error);
      session.onError(error);
    } else if (upgrade !== undefined) session.fail(new HandshakeError(101, lowerCaseHeaders(upgrade), error.message));
    else session.fail(new ConnectError(url, error));
  });
  // The EventTarget form, for `wasClean` (the EventEmitter 'close' has no such argument). After a protocol
  // error ws sends its close frame and drops the socket without waiting for the answer, and reports 1006:
  // report the code it sent instead, so the close policy sees 1009 (stop), not 1006 (retry).
  socket.addEventListener('close', (event) =>
    session.onClose(event.code === 1006 && failedWith !== undefined ? failedWith : event.code, event.reason, event.wasClean),
  );
  return new WsDriver(socket);
}

class WsDriver implements SocketDriver {
  constructor(private readonly socket: WebSocket) {}

  get readyState(): number {
    return this.socket.readyState;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  sendText(data: string): number {
    this.socket.send(data);
    return Buffer.byteLength(data);
  }

  sendBinary(data: Uint8Array): void {
    this.socket.send(data);
  }

  sendPing(data: Uint8Array | undefined): void {
    this.socket.ping(data);
  }

  sendPong(data: Uint8Array | undefined): void {
    this.socket.pong(data);
  }

  close(code: number | undefined, reason: string | undefined): void {
    this.socket.close(code, reason);
  }

  abort(): void {
    this.socket.terminate();
  }
}

/** The close code ws sends for one of its protocol errors (`WS_ERR_*`), or `undefined` for other errors. */
function protocolCloseCode(error: Error): number | undefined {
  const code = errorCodeOf(error);
  if (code === undefined || !code.startsWith('WS_ERR_')) return undefined;
  switch (code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return 1009;
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return 1008;
    case 'WS_ERR_INVALID_UTF8':
      return 1007;
    default:
      return 1002;
  }
}

function lowerCaseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}
