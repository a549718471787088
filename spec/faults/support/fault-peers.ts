/**
 * The peers of the fault specs, all on 127.0.0.1: a Python `websockets` server
 * that can be signalled and restarted on the same port, a TCP proxy that can
 * stop forwarding, a TCP proxy that forwards the client's bytes at a fixed
 * rate (a slow uplink), a TCP peer that never answers the handshake, an HTTP server
 * that refuses the upgrade with a status, and a server that completes the
 * handshake and then writes raw bytes.
 */
import { ChildProcess, spawn } from 'child_process';
import { createHash } from 'crypto';
import { createServer as createHttpServer, Server as HttpServer } from 'http';
import { AddressInfo, createConnection, createServer, Server, Socket } from 'net';
import { join } from 'path';
import { createInterface } from 'readline';

const PYTHON = '/usr/bin/python3';

export interface PythonServer {
  readonly port: number;
  readonly url: string;
  signal(signal: NodeJS.Signals): void;
  /** Waits until the process has exited. */
  exited(): Promise<void>;
  /** Starts the server again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function spawnPython(port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(PYTHON, [join(__dirname, 'python_fault_server.py'), String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Python server did not start: ${stderr}`)), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Python server exited with ${String(code)}: ${stderr.trim()} (it needs ${PYTHON} with python3-websockets)`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = /^PORT (\d+)$/.exec(line);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, port: Number(ready[1]) });
      }
    });
  });
}

export async function startPythonServer(): Promise<PythonServer> {
  let { child, port } = await spawnPython(0);
  const done = (c: ChildProcess): Promise<void> =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((resolve) => c.once('exit', () => resolve()));
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    signal: (signal) => child.kill(signal),
    exited: () => done(child),
    restart: async () => {
      ({ child } = await spawnPython(port));
    },
    stop: async () => {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await done(child);
    },
  };
}

/** A TCP proxy to 127.0.0.1:target that can stop forwarding (a black hole that keeps both connections open). */
export interface Proxy {
  readonly url: string;
  blackHole(): void;
  close(): Promise<void>;
}

/** The proxy's connection to 127.0.0.1:target for `client`; both are kept in `sockets` until they close. */
function dialUpstream(client: Socket, target: number, sockets: Set<Socket>): Socket {
  const upstream = createConnection(target, '127.0.0.1');
  for (const s of [client, upstream]) {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  }
  return upstream;
}

export async function startProxy(target: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let holed = false;
  const server: Server = createServer((client) => {
    const upstream = dialUpstream(client, target, sockets);
    client.on('data', (data) => holed || upstream.write(data));
    upstream.on('data', (data) => holed || client.write(data));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  return {
    ...(await listenLocal(server, sockets)),
    blackHole: () => {
      holed = true;
    },
  };
}

/** Listens on 127.0.0.1, port 0: the URL, and a close that destroys the sockets the server kept in `sockets`. */
async function listenLocal(server: Server | HttpServer, sockets: Set<Socket>): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server that accepts connections and never answers (a handshake that never completes). */
export function startSilentPeer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  return listenLocal(server, sockets);
}

/** An HTTP server that answers every upgrade with `status` and `headers`, and counts the attempts. */
export async function startRefuser(status: number, headers: Record<string, string> = {}): Promise<{ url: string; attempts(): number; close(): Promise<void> }> {
  let attempts = 0;
  const server: HttpServer = createHttpServer();
  server.on('upgrade', (_request, socket: Socket) => {
    attempts++;
    const lines = [`HTTP/1.1 ${status} Refused`, 'Connection: close', 'Content-Length: 0', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.end(lines.join('\r\n') + '\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    attempts: () => attempts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A server that completes the WebSocket handshake, then writes `bytes` (a frame of the spec's making) and waits. */
export function startRawFrameServer(bytes: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server: HttpServer = createHttpServer();
  const sockets = new Set<Socket>();
  server.on('upgrade', (request, socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    const accept = createHash('sha1').update(`${String(request.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'));
    socket.write(bytes);
  });
  return listenLocal(server, sockets);
}

/** Options of {@link startThrottledProxy}. */
export interface ThrottleOptions {
  /** Bytes per second forwarded from the client to the server (the other way is not throttled). */
  readonly bytesPerSecond: number;
  /** Milliseconds between two releases of bytes. @default 10 */
  readonly tick?: number;
}

/** A TCP proxy that forwards client to server at a fixed byte rate. */
export interface ThrottledProxy {
  readonly port: number;
  readonly url: string;
  /** Bytes forwarded to the server so far, over every connection. */
  forwarded(): number;
  /** Stops forwarding in both directions, keeping every connection open (a black hole). */
  blackHole(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy to 127.0.0.1:target that forwards what the client writes at
 * `bytesPerSecond` (a slow uplink), and what the server writes at full speed.
 * The client's socket is paused while bytes wait, so the client's own buffers
 * fill as they would behind a slow link; a timer of its own releases at most
 * the bytes the elapsed time has earned (no burst beyond one tick's worth).
 */
export async function startThrottledProxy(target: number, options: ThrottleOptions): Promise<ThrottledProxy> {
  const { bytesPerSecond, tick = 10 } = options;
  if (!(bytesPerSecond > 0)) throw new RangeError(`bytesPerSecond must be positive, got ${bytesPerSecond}`);
  const sockets = new Set<Socket>();
  const pumps = new Set<() => void>();
  let forwarded = 0;
  let closed = false;
  let holed = false;
  const server: Server = createServer((client) => {
    const upstream = dialUpstream(client, target, sockets);
    const waiting: Buffer[] = [];
    let budget = 0;
    let last = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let clientEnded = false;
    const stop = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pumps.delete(stop);
    };
    const release = (): void => {
      timer = undefined;
      if (closed || holed || upstream.destroyed) return;
      const now = Date.now();
      // Earned since the last release, never more than one tick's worth in hand.
      budget = Math.min(budget + ((now - last) * bytesPerSecond) / 1000, Math.max((tick * bytesPerSecond) / 1000, 1));
      last = now;
      while (waiting.length > 0 && budget >= 1) {
        const head = waiting[0]!;
        const n = Math.min(head.length, Math.floor(budget));
        upstream.write(head.subarray(0, n));
        forwarded += n;
        budget -= n;
        if (n === head.length) waiting.shift();
        else waiting[0] = head.subarray(n);
      }
      if (waiting.length > 0) {
        timer = setTimeout(release, tick);
      } else if (clientEnded) {
        upstream.end();
      } else {
        client.resume();
      }
    };
    pumps.add(stop);
    client.on('data', (data: Buffer) => {
      waiting.push(data);
      client.pause();
      if (timer === undefined) timer = setTimeout(release, tick);
    });
    client.on('end', () => {
      clientEnded = true;
      if (waiting.length === 0) upstream.end();
    });
    client.on('close', stop);
    upstream.on('close', stop);
    upstream.on('data', (data) => {
      if (!holed) client.write(data);
    });
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    forwarded: () => forwarded,
    blackHole: () => {
      holed = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        for (const stop of [...pumps]) stop();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
