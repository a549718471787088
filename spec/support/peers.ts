/**
 * Real WebSocket peers for integration specs, all on 127.0.0.1 and port 0:
 * a `ws` echo server (plain or TLS), a server that never answers the upgrade,
 * a server that answers the upgrade with any HTTP response, and a port where
 * nothing listens. Every one is stopped by its `stop()`.
 */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { createServer as createHttpServer, IncomingMessage, Server as HttpServer } from 'http';
import { createServer as createHttpsServer } from 'https';
import { AddressInfo, createServer as createNetServer, Socket } from 'net';
import { join } from 'path';
import WebSocket, { WebSocketServer } from 'ws';

/** What a server saw of a closed connection. */
export interface SeenClose {
  readonly code: number;
  readonly reason: string;
}

/**
 * An echo peer: echoes every text and binary message; a text message
 * `close:CODE:REASON` makes it close with that code and reason, and
 * `ping:PAYLOAD` makes it send a ping with that payload. Connections are told
 * apart by the request path, so each spec uses its own.
 */
export interface EchoPeer {
  readonly name: string;
  /** `ws://127.0.0.1:PORT` (or `wss://`), without a path. */
  readonly origin: string;
  /** A URL with a fresh, unique path. */
  url(): string;
  /** The close code and reason the server saw on the connection to `url`. */
  closeSeen(url: string): Promise<SeenClose>;
  stop(): Promise<void>;
}

/** One settable promise. */
export class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Not every deferred is awaited; an unobserved rejection must not crash the run.
    this.promise.catch(() => undefined);
  }
}

/** A map from key to deferred value, filled in whichever order `get` and `set` happen. */
export class DeferredMap<T> {
  private readonly map = new Map<string, Deferred<T>>();
  get(key: string): Promise<T> {
    return this.entry(key).promise;
  }
  set(key: string, value: T): void {
    this.entry(key).resolve(value);
  }
  private entry(key: string): Deferred<T> {
    let entry = this.map.get(key);
    if (entry === undefined) {
      entry = new Deferred<T>();
      this.map.set(key, entry);
    }
    return entry;
  }
}

let pathCounter = 0;
/** A unique request path. */
export function uniquePath(): string {
  return `/spec-${process.pid}-${++pathCounter}`;
}

/** Rejects after `ms` real milliseconds with a message, so a hung spec fails with a reason instead of mocha's timeout. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls a condition on real time, for what a server sees asynchronously (at most 2 s). */
export async function eventually(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A connection as the `ws` echo server saw it. */
export interface ServerConnection {
  readonly path: string;
  readonly request: IncomingMessage;
  readonly socket: WebSocket;
  /** Messages received, text as strings and binary as Buffers. */
  readonly messages: Array<string | Buffer>;
  /** Payloads of pongs received (answers to the server's pings). */
  readonly pongs: Buffer[];
  readonly closed: Promise<SeenClose>;
}

/** Options of {@link startWsEchoServer}. */
export interface WsEchoServerOptions {
  /** Serve `wss://` with the test certificate in spec/support/tls. */
  readonly tls?: boolean;
  /** Passed to `WebSocketServer`. */
  readonly handleProtocols?: (protocols: Set<string>) => string | false;
  /** Passed to `WebSocketServer`. */
  readonly perMessageDeflate?: boolean | { readonly serverMaxWindowBits?: number };
  /** With `tls`: require a client certificate issued by (here: equal to) this one. */
  readonly clientCa?: Buffer;
}

/** A `ws` echo server, with what it saw of each connection. */
export interface WsEchoServer extends EchoPeer {
  readonly port: number;
  /** The connection to `url` (resolves when the server accepts it). */
  connection(url: string): Promise<ServerConnection>;
  /** Sockets currently connected to the server. */
  openCount(): number;
}

export const TLS_CERT = readFileSync(join(__dirname, 'tls', 'cert.pem'));
const TLS_KEY = readFileSync(join(__dirname, 'tls', 'key.pem'));
/** A self-signed client certificate and its key, encrypted with {@link TLS_CLIENT_PASSPHRASE} (spec/support/tls). */
export const TLS_CLIENT_CERT = readFileSync(join(__dirname, 'tls', 'client-cert.pem'));
export const TLS_CLIENT_KEY = readFileSync(join(__dirname, 'tls', 'client-key.pem'));
export const TLS_CLIENT_PASSPHRASE = 'rxnova-test-only';

function pathOf(url: string): string {
  return new URL(url).pathname;
}

function listen(server: HttpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Stops an http(s) server, destroying every socket it still holds. */
function closeServer(server: HttpServer, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function trackSockets(server: HttpServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** Starts a `ws` echo server on 127.0.0.1, port 0. */
export async function startWsEchoServer(options: WsEchoServerOptions = {}): Promise<WsEchoServer> {
  const clientAuth = options.clientCa === undefined ? {} : { requestCert: true, rejectUnauthorized: true, ca: options.clientCa };
  const server = options.tls ? createHttpsServer({ cert: TLS_CERT, key: TLS_KEY, ...clientAuth }) : createHttpServer();
  const sockets = trackSockets(server);
  const wss = new WebSocketServer({
    server,
    perMessageDeflate: options.perMessageDeflate ?? false,
    ...(options.handleProtocols ? { handleProtocols: options.handleProtocols } : {}),
  });
  const connections = new DeferredMap<ServerConnection>();
  const closes = new DeferredMap<SeenClose>();
  wss.on('connection', (socket, request) => {
    const path = pathOf(`ws://x${request.url ?? '/'}`);
    const closed = new Deferred<SeenClose>();
    const record: ServerConnection = { path, request, socket, messages: [], pongs: [], closed: closed.promise };
    socket.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        record.messages.push(data);
        socket.send(data);
        return;
      }
      const text = data.toString();
      record.messages.push(text);
      const close = /^close:(\d+):(.*)$/s.exec(text);
      const ping = /^ping:(.*)$/s.exec(text);
      if (close) socket.close(Number(close[1]), close[2]);
      else if (ping) socket.ping(ping[1]);
      else socket.send(text);
    });
    socket.on('pong', (data) => record.pongs.push(data));
    socket.on('error', () => undefined);
    socket.on('close', (code, reason) => {
      const seen = { code, reason: reason.toString() };
      closed.resolve(seen);
      closes.set(path, seen);
    });
    connections.set(path, record);
  });
  const port = await listen(server);
  const origin = `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}`;
  return {
    name: options.tls ? 'a ws TLS server' : 'a ws server',
    port,
    origin,
    url: () => origin + uniquePath(),
    connection: (url) => within(connections.get(pathOf(url)), 5000, `the server to accept ${url}`),
    closeSeen: (url) => within(closes.get(pathOf(url)), 5000, `the server to see ${url} close`),
    openCount: () => wss.clients.size,
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closeServer(server, sockets);
    },
  };
}

/** A server that accepts TCP connections and upgrade requests but never answers them. */
export interface StallServer {
  readonly url: string;
  /** Resolves with the held socket when an upgrade request arrives. */
  nextUpgrade(): Promise<Socket>;
  /** TCP connections the server still holds open. */
  openCount(): number;
  stop(): Promise<void>;
}

export async function startStallServer(): Promise<StallServer> {
  const server = createHttpServer();
  const sockets = trackSockets(server);
  let waiting = new Deferred<Socket>();
  server.on('upgrade', (_request: IncomingMessage, socket: Socket) => {
    socket.on('error', () => undefined);
    // http.Server sockets allow half-open: close ours when the client ends, as a real server would.
    socket.on('end', () => socket.destroy());
    const current = waiting;
    waiting = new Deferred<Socket>();
    current.resolve(socket);
  });
  const port = await listen(server);
  return {
    url: `ws://127.0.0.1:${port}/stall`,
    nextUpgrade: () => within(waiting.promise, 5000, 'an upgrade request'),
    openCount: () => sockets.size,
    stop: () => closeServer(server, sockets),
  };
}

/**
 * A server that completes the opening handshake and then never sends a
 * frame: it reads and ignores everything, so a close frame gets no answer
 * (a frozen peer). It closes its side when the client's TCP side ends.
 */
export async function startSilentServer(): Promise<StallServer> {
  const server = createHttpServer();
  const sockets = trackSockets(server);
  let waiting = new Deferred<Socket>();
  server.on('upgrade', (request: IncomingMessage, socket: Socket) => {
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('end', () => socket.destroy());
    const accept = createHash('sha1')
      .update(`${String(request.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const current = waiting;
    waiting = new Deferred<Socket>();
    current.resolve(socket);
  });
  const port = await listen(server);
  return {
    url: `ws://127.0.0.1:${port}/silent`,
    nextUpgrade: () => within(waiting.promise, 5000, 'an upgrade request'),
    openCount: () => sockets.size,
    stop: () => closeServer(server, sockets),
  };
}

/** A server that answers every upgrade request with one fixed HTTP response. */
export async function startResponseServer(
  status: number,
  statusText: string,
  headers: Readonly<Record<string, string>>,
): Promise<{ readonly url: string; stop(): Promise<void> }> {
  const server = createHttpServer();
  const sockets = trackSockets(server);
  server.on('upgrade', (_request: IncomingMessage, socket: Socket) => {
    socket.on('error', () => undefined);
    const lines = [`HTTP/1.1 ${status} ${statusText}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'Content-Length: 0', 'Connection: close'];
    socket.end(lines.join('\r\n') + '\r\n\r\n');
  });
  const port = await listen(server);
  return { url: `ws://127.0.0.1:${port}/refused`, stop: () => closeServer(server, sockets) };
}

/** A server that accepts the TCP connection and resets it when the upgrade request arrives. */
export async function startResetServer(): Promise<{ readonly url: string; stop(): Promise<void> }> {
  const server = createHttpServer();
  const sockets = trackSockets(server);
  server.on('upgrade', (_request: IncomingMessage, socket: Socket) => socket.resetAndDestroy());
  const port = await listen(server);
  return { url: `ws://127.0.0.1:${port}/reset`, stop: () => closeServer(server, sockets) };
}

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
