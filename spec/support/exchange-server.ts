/**
 * A fake crypto exchange speaking JSON-RPC 2.0 over a real `ws`
 * WebSocketServer on 127.0.0.1, shaped like Deribit's API v2, for the
 * protocol specs and the examples. It can be stopped (every client closed
 * with 1012 "service restart", nothing listening) and started again on the
 * same port.
 *
 * Methods:
 * - `public/auth` `{ grant_type: 'client_credentials', client_id, client_secret }`
 *   (or `{ grant_type: 'refresh_token', refresh_token }`) → `{ access_token,
 *   refresh_token, expires_in, scope, token_type }`; wrong credentials →
 *   error 13004 `invalid_credentials`.
 * - `public/subscribe` / `public/unsubscribe` `{ channels: [...] }` → the list
 *   of channels; an unknown channel → error -32602 `Invalid params` (data
 *   `{ param: 'channels', reason }`), and nothing of that request is subscribed.
 * - `public/get_time` → the server time in ms; with `params.echo`,
 *   `{ time, echo }` (so concurrent requests can be told apart).
 * - `public/test` → `{ version }` (Deribit's application-level ping).
 * - `private/buy` `{ instrument_name, amount, type?, price? }` → `{ order,
 *   trades }`; needs a live token from `public/auth` on this connection
 *   (else error 13009 `unauthorized`); bad params → -32602.
 * - anything else → -32601 `Method not found`; a frame that is not JSON →
 *   -32700 with id null; a request without a method → -32600.
 *
 * Channel notifications are `{ jsonrpc, method: 'subscription', params: {
 * channel, data } }`, sent by {@link Exchange.publish} (on demand) or every
 * `publishInterval` ms to every subscribed channel. Every request is recorded
 * per connection, in arrival order, with subscribe and unsubscribe counts per
 * channel.
 *
 * Everything it starts is stopped by `dispose()`.
 */
import { createServer, Server as HttpServer } from 'http';
import type { Socket as NetSocket } from 'net';
import WebSocket, { WebSocketServer } from 'ws';
import { closeLocal, listenLocal, trackSockets } from './client-server';

/** A JSON-RPC request as the exchange received it. */
export interface ExchangeRequest {
  readonly jsonrpc?: unknown;
  readonly id?: unknown;
  readonly method: string;
  readonly params?: unknown;
}

/** A JSON-RPC error object the exchange sends. */
export interface ExchangeError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** One accepted connection, as the exchange saw it. */
export interface ExchangeConnection {
  /** 0 for the first connection accepted, counting across restarts. */
  readonly index: number;
  /** The method of every request and notification received, in arrival order. */
  readonly methods: string[];
  /** Every request received, in arrival order. */
  readonly requests: ExchangeRequest[];
  /** How many subscribe requests named each channel (successful or not). */
  readonly subscribes: Map<string, number>;
  /** How many unsubscribe requests named each channel. */
  readonly unsubscribes: Map<string, number>;
  /** The channels currently subscribed. */
  readonly channels: Set<string>;
  /** Successful `public/auth` calls. */
  auths: number;
  /** When the current token expires (ms since the epoch), or 0 before auth. */
  tokenExpiresAt: number;
  /** Set when the connection has closed. */
  closed: { readonly code: number; readonly reason: string } | undefined;
  /** Sends any message (JSON-encoded) to this client, if it is open. */
  send(message: unknown): void;
}

/** Options of {@link startExchange}. */
export interface ExchangeOptions {
  /** @default 'rxnova-client' */
  readonly clientId?: string;
  /** @default 'rxnova-secret' */
  readonly clientSecret?: string;
  /**
   * The token lifetime in seconds (`expires_in` of `public/auth`).
   * @default 900
   */
  readonly tokenTtl?: number;
  /**
   * Which channels exist; subscribing to any other is an error.
   * @default ticker.*, book.*, trades.* and quote.* channels
   */
  readonly isChannel?: (channel: string) => boolean;
  /**
   * Milliseconds between notifications to every subscribed channel of every connection; 0 for none (publish on demand).
   * @default 0
   */
  readonly publishInterval?: number;
}

/** A running fake exchange. */
export interface Exchange {
  readonly port: number;
  /** `ws://127.0.0.1:PORT/ws/api/v2`. */
  readonly url: string;
  readonly running: boolean;
  /** Every connection accepted, across restarts. */
  readonly connections: ExchangeConnection[];
  /** The connections open now. */
  open(): ExchangeConnection[];
  /** Sends `{ channel, data }` to every open connection subscribed to `channel`; returns how many got it. */
  publish(channel: string, data: unknown): number;
  /** Sends a raw message to every open connection. */
  broadcast(message: unknown): void;
  /** From now on, responses are held back (requests are still recorded) until {@link releaseResponses}. */
  holdResponses(): void;
  /** Sends every held response (in arrival order, or reversed) and stops holding. */
  releaseResponses(order?: 'arrival' | 'reverse'): void;
  /** Closes every client with `code` and `reason`, waits for the closing handshakes (2 s at most), and stops listening. */
  stop(code?: number, reason?: string): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Stops for good, terminating whatever is still connected. Idempotent. */
  dispose(): Promise<void>;
}

const DEFAULT_CHANNEL = /^(ticker|book|trades|quote)\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_]+)*$/;

/** JSON-RPC and Deribit error codes the exchange uses. */
export const ExchangeErrors = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  invalidCredentials: 13004,
  unauthorized: 13009,
} as const;

class RpcFailure extends Error {
  constructor(readonly error: ExchangeError) {
    super(error.message);
  }
}

const invalidParams = (param: string, reason: string): RpcFailure =>
  new RpcFailure({ code: ExchangeErrors.invalidParams, message: 'Invalid params', data: { param, reason } });

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function channelList(params: unknown): string[] {
  const channels = record(params).channels;
  if (!Array.isArray(channels) || channels.length === 0 || !channels.every((c) => typeof c === 'string' && c !== '')) {
    throw invalidParams('channels', 'must be a non-empty list of channel names');
  }
  return channels as string[];
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Starts an {@link Exchange} on 127.0.0.1, port 0 (the port is then kept across restarts). */
export async function startExchange(options: ExchangeOptions = {}): Promise<Exchange> {
  const {
    clientId = 'rxnova-client',
    clientSecret = 'rxnova-secret',
    tokenTtl = 900,
    isChannel = (channel: string) => DEFAULT_CHANNEL.test(channel),
    publishInterval = 0,
  } = options;
  const connections: ExchangeConnection[] = [];
  const sockets = new Map<ExchangeConnection, WebSocket>();
  const refreshTokens = new Set<string>();
  let held: Array<() => void> | undefined;
  let port = 0;
  let tokens = 0;
  let orders = 0;
  let ticks = 0;
  let running: { http: HttpServer; wss: WebSocketServer; raw: Set<NetSocket>; timer: NodeJS.Timeout | undefined } | undefined;

  const sendTo = (connection: ExchangeConnection, message: unknown): void => {
    const socket = sockets.get(connection);
    if (socket !== undefined && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  const publish = (channel: string, data: unknown): number => {
    let delivered = 0;
    for (const connection of sockets.keys()) {
      if (!connection.channels.has(channel)) continue;
      sendTo(connection, { jsonrpc: '2.0', method: 'subscription', params: { channel, data } });
      delivered++;
    }
    return delivered;
  };

  /** A market-data tick for a channel: tickers get prices, anything else a sequence number. */
  const tick = (channel: string): unknown => {
    const seq = ++ticks;
    const [kind, instrument = ''] = channel.split('.');
    if (kind === 'ticker') {
      const base = instrument.startsWith('ETH') ? 3000 : 60000;
      const last = base + Math.round(Math.sin(seq / 5) * base) / 1000;
      return { instrument_name: instrument, last_price: last, best_bid_price: last - 0.5, best_ask_price: last + 0.5, timestamp: Date.now(), seq };
    }
    return { channel, seq, timestamp: Date.now() };
  };

  const handle = (connection: ExchangeConnection, request: ExchangeRequest): unknown => {
    const params = record(request.params);
    switch (request.method) {
      case 'public/auth': {
        const grant = params.grant_type;
        const ok =
          grant === 'client_credentials'
            ? params.client_id === clientId && params.client_secret === clientSecret
            : grant === 'refresh_token'
              ? typeof params.refresh_token === 'string' && refreshTokens.has(params.refresh_token)
              : undefined;
        if (ok === undefined) throw invalidParams('grant_type', 'must be client_credentials or refresh_token');
        if (!ok) throw new RpcFailure({ code: ExchangeErrors.invalidCredentials, message: 'invalid_credentials' });
        const n = ++tokens;
        const refresh = `refresh-${n}`;
        refreshTokens.add(refresh);
        connection.auths++;
        connection.tokenExpiresAt = Date.now() + tokenTtl * 1000;
        return { access_token: `access-${n}`, refresh_token: refresh, expires_in: tokenTtl, scope: 'connection trade:read_write', token_type: 'bearer' };
      }
      case 'public/subscribe': {
        const channels = channelList(request.params);
        for (const channel of channels) count(connection.subscribes, channel);
        const unknown = channels.find((channel) => !isChannel(channel));
        if (unknown !== undefined) throw invalidParams('channels', `unknown channel ${unknown}`);
        for (const channel of channels) connection.channels.add(channel);
        return channels;
      }
      case 'public/unsubscribe': {
        const channels = channelList(request.params);
        for (const channel of channels) {
          count(connection.unsubscribes, channel);
          connection.channels.delete(channel);
        }
        return channels;
      }
      case 'public/get_time':
        return params.echo === undefined ? Date.now() : { time: Date.now(), echo: params.echo };
      case 'public/test':
        return { version: '2.1.1' };
      case 'private/buy': {
        if (connection.tokenExpiresAt === 0) throw new RpcFailure({ code: ExchangeErrors.unauthorized, message: 'unauthorized' });
        if (Date.now() > connection.tokenExpiresAt) {
          throw new RpcFailure({ code: ExchangeErrors.unauthorized, message: 'unauthorized', data: { reason: 'token expired' } });
        }
        const { instrument_name: instrument, amount, type = 'market', price } = params;
        if (typeof instrument !== 'string' || instrument === '') throw invalidParams('instrument_name', 'required');
        if (typeof amount !== 'number' || !(amount > 0)) throw invalidParams('amount', 'must be a positive number');
        if (type !== 'market' && type !== 'limit') throw invalidParams('type', 'must be market or limit');
        if (type === 'limit' && (typeof price !== 'number' || !(price > 0))) throw invalidParams('price', 'required for a limit order');
        const order = {
          order_id: `ORDER-${++orders}`,
          instrument_name: instrument,
          direction: 'buy',
          amount,
          order_type: type,
          price: type === 'limit' ? price : 'market_price',
          order_state: type === 'market' ? 'filled' : 'open',
        };
        return { order, trades: type === 'market' ? [{ trade_id: `TRADE-${orders}`, amount, instrument_name: instrument }] : [] };
      }
      default:
        throw new RpcFailure({ code: ExchangeErrors.methodNotFound, message: 'Method not found', data: { method: request.method } });
    }
  };

  const accept = (socket: WebSocket): void => {
    const connection: ExchangeConnection = {
      index: connections.length,
      methods: [],
      requests: [],
      subscribes: new Map(),
      unsubscribes: new Map(),
      channels: new Set(),
      auths: 0,
      tokenExpiresAt: 0,
      closed: undefined,
      send: (message) => sendTo(connection, message),
    };
    connections.push(connection);
    sockets.set(connection, socket);
    socket.on('error', () => undefined);
    socket.on('close', (code: number, reason: Buffer) => {
      connection.closed = { code, reason: reason.toString() };
      sockets.delete(connection);
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      let request: ExchangeRequest;
      try {
        const parsed: unknown = JSON.parse(isBinary ? '' : data.toString());
        request = record(parsed) as unknown as ExchangeRequest;
      } catch {
        sendTo(connection, { jsonrpc: '2.0', id: null, error: { code: ExchangeErrors.parseError, message: 'Parse error' } });
        return;
      }
      const id = request.id;
      if (typeof request.method !== 'string') {
        sendTo(connection, { jsonrpc: '2.0', id: id ?? null, error: { code: ExchangeErrors.invalidRequest, message: 'Invalid Request' } });
        return;
      }
      connection.methods.push(request.method);
      connection.requests.push(request);
      let response: unknown;
      try {
        response = { jsonrpc: '2.0', id, result: handle(connection, request) };
      } catch (failure) {
        if (!(failure instanceof RpcFailure)) throw failure;
        response = { jsonrpc: '2.0', id, error: failure.error };
      }
      if (id === undefined) return; // a notification gets no answer
      if (held !== undefined) held.push(() => sendTo(connection, response));
      else sendTo(connection, response);
    });
  };

  const listen = async (): Promise<void> => {
    const http = createServer();
    const raw = trackSockets(http);
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    wss.on('connection', accept);
    wss.on('error', () => undefined);
    port = await listenLocal(http, port);
    const timer =
      publishInterval > 0
        ? setInterval(() => {
            for (const connection of sockets.keys()) for (const channel of connection.channels) publish(channel, tick(channel));
          }, publishInterval)
        : undefined;
    running = { http, wss, raw, timer };
  };

  const shutdown = async (graceful: { code: number; reason: string } | undefined): Promise<void> => {
    const current = running;
    if (current === undefined) return;
    running = undefined;
    if (current.timer !== undefined) clearInterval(current.timer);
    const open = [...current.wss.clients];
    const closed = open.map(
      (client) => new Promise<void>((resolve) => (client.readyState === WebSocket.CLOSED ? resolve() : client.once('close', () => resolve()))),
    );
    for (const client of open) {
      if (graceful === undefined) client.terminate();
      else client.close(graceful.code, graceful.reason);
    }
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise<void>((resolve) => (timeout = setTimeout(resolve, 2000)))]);
    clearTimeout(timeout);
    for (const client of open) client.terminate();
    await closeLocal(current.http, current.wss, current.raw);
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `ws://127.0.0.1:${port}/ws/api/v2`;
    },
    get running() {
      return running !== undefined;
    },
    connections,
    open: () => [...sockets.keys()],
    publish,
    broadcast: (message) => {
      for (const connection of sockets.keys()) sendTo(connection, message);
    },
    holdResponses: () => {
      held ??= [];
    },
    releaseResponses: (order = 'arrival') => {
      const queued = held ?? [];
      held = undefined;
      if (order === 'reverse') queued.reverse();
      for (const send of queued) send();
    },
    stop: (code = 1012, reason = 'service restart') => shutdown({ code, reason }),
    start: async () => {
      if (running === undefined) await listen();
    },
    dispose: () => shutdown(undefined),
  };
}
