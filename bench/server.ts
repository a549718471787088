/**
 * The echo server of the benchmark, run in its own process by bench/run.ts
 * (forked with an IPC channel). Listens on 127.0.0.1 only, on a free port.
 *
 * Paths:
 * - `/echo`: every message is sent back as it came (text as text, binary as binary).
 * - `/rc/<id>`: reconnect test. On connect it sends `T:<ns>`, the monotonic
 *   time (process.hrtime, shared by every process of this machine) at which it
 *   last terminated a socket of `<id>` (0 the first time); the text `kill`
 *   makes it note the time and `terminate()` the socket (no closing handshake).
 *
 * IPC: sends `{ type: 'listening', port }` once; answers `{ type: 'drop', id }`
 * by terminating every socket and replying `{ type: 'dropped', id, count }`;
 * `{ type: 'count', id }` replies `{ type: 'counted', id, count }`.
 * Exits when the parent goes away.
 */
import { WebSocketServer } from 'ws';
import type { WebSocket, RawData } from 'ws';

const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

const lastKill = new Map<string, bigint>();

function attachEcho(socket: WebSocket): void {
  socket.on('message', (data: RawData, isBinary: boolean) => {
    socket.send(data as Buffer, isBinary ? BINARY : TEXT);
  });
}

function attachReconnect(socket: WebSocket, id: string): void {
  socket.send(`T:${lastKill.get(id) ?? 0n}`);
  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (!isBinary && (data as Buffer).toString() === 'kill') {
      lastKill.set(id, process.hrtime.bigint());
      socket.terminate();
    } else {
      socket.send(data as Buffer, isBinary ? BINARY : TEXT);
    }
  });
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, backlog: 4096, maxPayload: 64 * 1024 * 1024 });

server.on('connection', (socket, request) => {
  socket.on('error', () => undefined);
  const url = request.url ?? '/';
  if (url.startsWith('/rc/')) attachReconnect(socket, url.slice(4));
  else attachEcho(socket);
});

server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.send?.({ type: 'listening', port, bufferutil: process.env.WS_NO_BUFFER_UTIL === undefined });
});

process.on('message', (message: { type: string; id: number }) => {
  if (message.type === 'drop') {
    let count = 0;
    for (const client of server.clients) {
      client.terminate();
      count++;
    }
    process.send?.({ type: 'dropped', id: message.id, count });
  } else if (message.type === 'count') {
    process.send?.({ type: 'counted', id: message.id, count: server.clients.size });
  }
});

process.on('disconnect', () => process.exit(0));
