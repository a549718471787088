/**
 * Real servers for the client's integration specs (spec/client/connect-*.spec.ts),
 * all on 127.0.0.1:
 *
 * - {@link startClientServer}: a `ws` server that can be stopped for real (its
 *   WebSocketServer and listening socket closed) and started again on the
 *   SAME port, refuse upgrades with any HTTP status, negotiate subprotocols,
 *   count what it receives over every connection, echo, and stop reading.
 * - {@link waitFor} and {@link recordSocket}: polling and recording helpers, so
 *   specs wait for conditions instead of sleeping.
 * - {@link socketFixture}: the sockets, recordings and subscriptions of one
 *   spec, released together after it.
 * - {@link replyRawOnRequest}: an `onMessage` that makes the server send a
 *   frame that is not JSON, on request.
 * - {@link trackSockets}, {@link listenLocal} and {@link closeLocal}: an HTTP
 *   server on 127.0.0.1 that keeps its TCP sockets, so a stop can end them
 *   (shared with exchange-server.ts).
 *
 * Everything a spec starts is stopped by `dispose()`.
 */
import { createServer, IncomingMessage, Server as HttpServer } from 'http';
import { AddressInfo, Socket as NetSocket } from 'net';
import type { Observer, Subscription } from 'rxjs';
import WebSocket, { WebSocketServer } from 'ws';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import type { ConnectOptions } from '../../src/client/connect-options';
import type { SocketEvent, SocketEventType } from '../../src/client/events';
import type { Socket } from '../../src/client/socket';
import type { SocketState, SocketStatus } from '../../src/client/state';
import { connect } from '../../src/node';

/**
 * Waits (polling every few ms) until `predicate()` is true; rejects after
 * `timeoutMs` with `what` and, if given, `detail()` in the message.
 */
export function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise<void>((resolve, reject) => {
    const poll = (): void => {
      let done: boolean;
      try {
        done = predicate();
      } catch (error) {
        reject(error);
        return;
      }
      if (done) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${detail()}` : ''}`));
      else setTimeout(poll, 2);
    };
    poll();
  });
}

/** What a server saw of a closed connection. */
export interface ServerClose {
  readonly code: number;
  readonly reason: string;
}

/** One accepted connection, as the server saw it. */
export interface ServerConnection {
  /** 0 for the first connection the server accepted (counting across restarts). */
  readonly index: number;
  readonly request: IncomingMessage;
  readonly socket: WebSocket;
  /** Data messages received on this connection: text as strings, binary as Buffers. */
  readonly messages: Array<string | Buffer>;
  /** Protocol pings received. */
  pings: number;
  /** Set when the connection has closed. */
  closed: ServerClose | undefined;
  readonly whenClosed: Promise<ServerClose>;
  /** Stops reading from the TCP socket (the client's writes then back up), or resumes. */
  pauseReading(): void;
  resumeReading(): void;
}

/** The TCP sockets `http` holds open, kept up to date (register before it listens). */
export function trackSockets(http: HttpServer): Set<NetSocket> {
  const sockets = new Set<NetSocket>();
  http.on('connection', (socket: NetSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** Listens on 127.0.0.1:`port` (0: any free port); resolves to the port, rejects if it cannot listen. */
export async function listenLocal(http: HttpServer, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  return (http.address() as AddressInfo).port;
}

/** Closes `wss`, destroys what is left of the TCP `sockets`, and closes `http` (nothing listens afterwards). */
export async function closeLocal(http: HttpServer, wss: WebSocketServer, sockets: Iterable<NetSocket>): Promise<void> {
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => http.close(() => resolve()));
}

/** An HTTP answer that refuses an upgrade. */
export interface Refusal {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of {@link startClientServer}. */
export interface ClientServerOptions {
  /**
   * Echo every data message back.
   * @default true
   */
  readonly echo?: boolean;
  /** Chooses the subprotocol (passed to `WebSocketServer`). */
  readonly handleProtocols?: (protocols: Set<string>) => string | false;
  /** Decides per upgrade request (`index` counts every request, across restarts): an HTTP refusal, or `undefined` to accept. */
  readonly refuse?: (request: IncomingMessage, index: number) => Refusal | undefined;
  /** Sees every data message first; returning `true` suppresses the echo. */
  readonly onMessage?: (connection: ServerConnection, data: string | Buffer, isBinary: boolean) => boolean | void;
}

/** A `ws` server that can be stopped and started again on the same port. */
export interface ClientServer {
  readonly port: number;
  /** `ws://127.0.0.1:PORT` + `path` (default `/`). */
  url(path?: string): string;
  /** Whether it is listening. */
  readonly running: boolean;
  /** Every data message received, over every connection, in arrival order. */
  readonly received: Array<string | Buffer>;
  /** Every connection accepted, across restarts. */
  readonly connections: ServerConnection[];
  /** Every upgrade request, refused or not, across restarts. */
  readonly upgrades: IncomingMessage[];
  /** Connections currently open. */
  openCount(): number;
  /**
   * Stops the service gracefully: closes every client with `code` and
   * `reason`, waits for each closing handshake to finish, then closes the
   * WebSocketServer and the listening socket. Nothing listens on the port
   * afterwards (connects are refused).
   */
  stop(code?: number, reason?: string): Promise<void>;
  /** Listens again on the same port with a new WebSocketServer. */
  start(): Promise<void>;
  /** Stops for good, terminating whatever is still connected. Idempotent. */
  dispose(): Promise<void>;
}

interface Running {
  readonly http: HttpServer;
  readonly wss: WebSocketServer;
  readonly sockets: Set<NetSocket>;
}

/** Starts a {@link ClientServer} on 127.0.0.1, port 0 (the port is then kept across restarts). */
export async function startClientServer(options: ClientServerOptions = {}): Promise<ClientServer> {
  const { echo = true, handleProtocols, refuse, onMessage } = options;
  const received: Array<string | Buffer> = [];
  const connections: ServerConnection[] = [];
  const upgrades: IncomingMessage[] = [];
  let port = 0;
  let running: Running | undefined;

  const accept = (socket: WebSocket, request: IncomingMessage): void => {
    const raw = (socket as unknown as { _socket: NetSocket })._socket;
    let resolveClosed!: (close: ServerClose) => void;
    const connection: ServerConnection = {
      index: connections.length,
      request,
      socket,
      messages: [],
      pings: 0,
      closed: undefined,
      whenClosed: new Promise<ServerClose>((resolve) => (resolveClosed = resolve)),
      pauseReading: () => raw.pause(),
      resumeReading: () => raw.resume(),
    };
    connections.push(connection);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const message = isBinary ? data : data.toString();
      received.push(message);
      connection.messages.push(message);
      if (onMessage?.(connection, message, isBinary) === true) return;
      if (echo) socket.send(data, { binary: isBinary });
    });
    socket.on('ping', () => connection.pings++);
    socket.on('error', () => undefined);
    socket.on('close', (code: number, reason: Buffer) => {
      connection.closed = { code, reason: reason.toString() };
      resolveClosed(connection.closed);
    });
  };

  const listen = async (): Promise<void> => {
    const http = createServer();
    const sockets = trackSockets(http);
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, ...(handleProtocols ? { handleProtocols } : {}) });
    wss.on('connection', accept);
    http.on('upgrade', (request: IncomingMessage, socket: NetSocket, head: Buffer) => {
      socket.on('error', () => undefined);
      const index = upgrades.length;
      upgrades.push(request);
      const refusal = refuse?.(request, index);
      if (refusal !== undefined) {
        const lines = [`HTTP/1.1 ${refusal.status} Refused`, ...Object.entries(refusal.headers ?? {}).map(([k, v]) => `${k}: ${v}`)];
        socket.end(`${[...lines, 'Content-Length: 0', 'Connection: close'].join('\r\n')}\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    });
    port = await listenLocal(http, port);
    running = { http, wss, sockets };
  };

  const shutdown = async (graceful: { code: number; reason: string } | undefined): Promise<void> => {
    const current = running;
    if (current === undefined) return;
    running = undefined;
    const { http, wss, sockets } = current;
    const open = [...wss.clients];
    const closes = connections.filter((c) => open.includes(c.socket)).map((c) => c.whenClosed);
    for (const client of open) {
      if (graceful) client.close(graceful.code, graceful.reason);
      else client.terminate();
    }
    // A graceful close waits for the client's close frame and the TCP close; bounded, then forced.
    const settled = await Promise.race([
      Promise.all(closes).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000)),
    ]);
    if (!settled) for (const client of open) client.terminate();
    await closeLocal(http, wss, sockets);
    if (!settled) throw new Error(`the server's graceful stop with ${graceful?.code} did not finish within 2 s`);
  };

  await listen();
  return {
    get port() {
      return port;
    },
    url: (path = '/') => `ws://127.0.0.1:${port}${path}`,
    get running() {
      return running !== undefined;
    },
    received,
    connections,
    upgrades,
    openCount: () => running?.wss.clients.size ?? 0,
    stop: (code = 1012, reason = 'service restart') => shutdown({ code, reason }),
    start: async () => {
      if (running === undefined) await listen();
    },
    dispose: () => shutdown(undefined),
  };
}

/** What a spec records of a socket: every state and every event, in order. */
export interface SocketRecording {
  readonly states: SocketState[];
  readonly events: SocketEvent[];
  /** The messages delivered on `messages$`. */
  readonly messages: unknown[];
  /** How `messages$` ended, if it has. */
  messagesEnd: { kind: 'complete' } | { kind: 'error'; error: unknown } | undefined;
  statesCompleted: boolean;
  eventsCompleted: boolean;
  /** The events of one type. */
  eventsOf<T extends SocketEventType>(type: T): Array<Extract<SocketEvent, { type: T }>>;
  /** The statuses seen so far. */
  statuses(): SocketStatus[];
  /** Waits until the socket's current status is `status`. */
  reach(status: SocketStatus, timeoutMs?: number): Promise<void>;
  /** Unsubscribes everything. */
  stop(): void;
}

/** Subscribes to a socket's `state$`, `events$` and (unless `messages` is false) `messages$`, recording everything. */
export function recordSocket<In, Out>(socket: Socket<In, Out>, options: { messages?: boolean } = {}): SocketRecording {
  const subscriptions: Subscription[] = [];
  const recording: SocketRecording = {
    states: [],
    events: [],
    messages: [],
    messagesEnd: undefined,
    statesCompleted: false,
    eventsCompleted: false,
    eventsOf: <T extends SocketEventType>(type: T) => recording.events.filter((e): e is Extract<SocketEvent, { type: T }> => e.type === type),
    statuses: () => recording.states.map((s) => s.status),
    reach: (status, timeoutMs = 5000) =>
      waitFor(
        () => {
          const state = socket.state;
          if (state.status === status) return true;
          // A socket that has given up will never get there: fail now, with why.
          if (state.status === 'closed' && state.gaveUp) {
            throw new Error(`the socket gave up (${String(state.error)}) while waiting for state ${status}; states: ${recording.statuses().join(' → ')}`);
          }
          return false;
        },
        `state ${status}`,
        timeoutMs,
        () => `states so far: ${recording.statuses().join(' → ')}`,
      ),
    stop: () => subscriptions.forEach((s) => s.unsubscribe()),
  };
  subscriptions.push(
    socket.events$.subscribe({ next: (event) => recording.events.push(event), complete: () => (recording.eventsCompleted = true) }),
    socket.state$.subscribe({ next: (state) => recording.states.push(state), complete: () => (recording.statesCompleted = true) }),
  );
  if (options.messages !== false) {
    subscriptions.push(
      socket.messages$.subscribe({
        next: (message) => recording.messages.push(message),
        error: (error: unknown) => (recording.messagesEnd = { kind: 'error', error }),
        complete: () => (recording.messagesEnd = { kind: 'complete' }),
      }),
    );
  }
  return recording;
}

/**
 * An `onMessage` for {@link startClientServer}: a JSON string `"raw:TEXT"` makes
 * the server send TEXT as it is (not JSON) instead of the echo.
 */
export function replyRawOnRequest(connection: ServerConnection, data: string | Buffer): boolean {
  if (typeof data === 'string' && data.startsWith('"raw:')) {
    connection.socket.send(JSON.parse(data).slice(4) as string);
    return true;
  }
  return false;
}

/** What one subscription has seen so far (see {@link SocketFixture.watch}). */
export interface Seen<T> {
  readonly values: T[];
  error: unknown;
  completed: boolean;
  readonly subscription: Subscription;
}

/**
 * The sockets, recordings, subscriptions and servers of one spec.
 * `dispose()` (from `afterEach`) unsubscribes what it holds, stops the
 * recordings, closes the sockets, then disposes the servers.
 */
export interface SocketFixture {
  /**
   * connect()s to `url` with the specs' defaults (`heartbeat: false`, a
   * constant 20 ms reconnect backoff) overridden by `options`, and tracks the socket.
   */
  open<In = unknown, Out = unknown>(url: string, options?: ConnectOptions<In, Out>, record?: { messages?: boolean }): { s: Socket<In, Out>; rec: SocketRecording };
  /** Keeps `socket` to close and records it ({@link recordSocket}). */
  track<In, Out>(socket: Socket<In, Out>, options?: { messages?: boolean }): SocketRecording;
  /** Keeps a server to dispose after the sockets are closed; returns it. */
  adopt<R extends { dispose(): Promise<void> }>(resource: R): R;
  /** Keeps subscriptions to unsubscribe. */
  hold(...subscriptions: Subscription[]): void;
  /** Subscribes to `source`, keeping what it emits, its error and whether it completed. */
  watch<T>(source: { subscribe: (observer: Partial<Observer<T>>) => Subscription }): Seen<T>;
  dispose(): Promise<void>;
}

/** A fresh {@link SocketFixture}: one per `describe`, reused (after `dispose()`) by each spec. */
export function socketFixture(): SocketFixture {
  const sockets: Array<Socket<unknown, unknown>> = [];
  const recordings: SocketRecording[] = [];
  const subscriptions: Subscription[] = [];
  const resources: Array<{ dispose(): Promise<void> }> = [];
  const track = <In, Out>(socket: Socket<In, Out>, options?: { messages?: boolean }): SocketRecording => {
    sockets.push(socket as Socket<unknown, unknown>);
    const recording = recordSocket(socket, options);
    recordings.push(recording);
    return recording;
  };
  return {
    open: <In, Out>(url: string, options: ConnectOptions<In, Out> = {}, record?: { messages?: boolean }) => {
      const s = connect<In, Out>(url, { heartbeat: false, reconnect: { backoff: constantBackoff(20) }, ...options });
      return { s, rec: track(s, record) };
    },
    track,
    adopt: (resource) => {
      resources.push(resource);
      return resource;
    },
    hold: (...held) => {
      subscriptions.push(...held);
    },
    watch: <T>(source: { subscribe: (observer: Partial<Observer<T>>) => Subscription }): Seen<T> => {
      const seen = { values: [] as T[], error: undefined as unknown, completed: false };
      const subscription = source.subscribe({
        next: (value) => seen.values.push(value),
        error: (error: unknown) => (seen.error = error),
        complete: () => (seen.completed = true),
      });
      subscriptions.push(subscription);
      return Object.assign(seen, { subscription });
    },
    dispose: async () => {
      subscriptions.splice(0).forEach((s) => s.unsubscribe());
      recordings.splice(0).forEach((r) => r.stop());
      sockets.splice(0).forEach((s) => s.close());
      for (const resource of resources.splice(0)) await resource.dispose();
    },
  };
}
