/**
 * The soak: many forced disconnects under load, against a server that
 * acknowledges every request. The client keeps `inFlight` requests
 * outstanding (`inFlight: 'resend'`: at least once), the server terminates
 * each connection after it has received `perConnection` messages, and the
 * run goes on until `disconnects` connections have been cut. It reports what
 * was lost (a request never acknowledged; must be 0), what the server saw
 * twice (a resend of a request whose acknowledgement was lost with its
 * connection: allowed by at-least-once, counted), and heap growth per cycle.
 *
 * `runSoak()` is shared by `npm run soak` (bench/soak.ts, 1,000 disconnects)
 * and spec/faults/soak.spec.ts (50, inside `npm test`).
 */
import type { AddressInfo } from 'net';
import { createServer } from 'http';
import { WebSocketServer } from 'ws';
import { constantBackoff } from '../src/backoff/constant-backoff';
import type { Socket } from '../src/client/socket';
import { connect } from '../src/node';
import { JsonTopicsMessage, jsonTopics } from '../src/protocols/json-topics';

export interface SoakOptions {
  /** Connections the server cuts (with `terminate()`). */
  readonly disconnects: number;
  /** Messages the server receives on a connection before it cuts it. @default 20 */
  readonly perConnection?: number;
  /** Requests the client keeps outstanding. @default 50 */
  readonly inFlight?: number;
  /** Gives up after this many ms of wall time. @default 600000 */
  readonly deadline?: number;
}

export interface SoakReport {
  readonly disconnects: number;
  readonly sent: number;
  readonly acknowledged: number;
  /** Requests that failed or were never acknowledged. */
  readonly lost: number;
  /** Messages the server received more than once (resends after a lost acknowledgement). */
  readonly duplicates: number;
  /** Requests the server never received at all. */
  readonly neverReceived: number;
  readonly failures: readonly string[];
  /** heapUsed growth per disconnect, in bytes (after a GC when `--expose-gc` is on). */
  readonly heapPerCycle: number;
  readonly ms: number;
}

declare const gc: (() => void) | undefined;

function heapNow(): number {
  if (typeof gc === 'function') gc();
  return process.memoryUsage().heapUsed;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { disconnects, perConnection = 20, inFlight = 50, deadline = 600_000 } = options;
  const started = Date.now();
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const seen = new Map<number, number>();
  let cut = 0;
  wss.on('connection', (ws) => {
    let received = 0;
    let terminated = false;
    ws.on('message', (data) => {
      // ws may still emit what it had read before terminate(): that never happened as far as the client can tell.
      if (terminated) return;
      const message = JSON.parse(String(data)) as { id?: number; seq?: number };
      if (typeof message.seq === 'number') seen.set(message.seq, (seen.get(message.seq) ?? 0) + 1);
      if (++received >= perConnection && cut < disconnects) {
        terminated = true;
        cut++;
        // No acknowledgement for this one: its request is in flight when the connection dies.
        ws.terminate();
        return;
      }
      if (message.id !== undefined) ws.send(JSON.stringify({ id: message.id, data: { seq: message.seq } }));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  const socket: Socket<JsonTopicsMessage, JsonTopicsMessage> = connect<JsonTopicsMessage, JsonTopicsMessage>(`ws://127.0.0.1:${port}/`, {
    protocol: jsonTopics(),
    heartbeat: false,
    requests: { inFlight: 'resend', timeout: deadline },
    reconnect: { backoff: constantBackoff(1), resetAfter: 0 },
  });
  const failures: string[] = [];
  let sent = 0;
  let acknowledged = 0;
  let outstanding = 0;
  const heapStart = heapNow();
  const finished = new Promise<void>((resolve) => {
    const pump = (): void => {
      if (cut >= disconnects) {
        if (outstanding === 0) resolve();
        return;
      }
      while (outstanding < inFlight && cut < disconnects) {
        const seq = sent++;
        outstanding++;
        socket.request<{ seq: number }>({ type: 'put', seq }).subscribe({
          next: (answer) => {
            if (answer.seq === seq) acknowledged++;
            else failures.push(`request ${seq} answered for ${answer.seq}`);
          },
          error: (error: unknown) => {
            failures.push(`request ${seq}: ${error instanceof Error ? error.message : String(error)}`);
            outstanding--;
            pump();
          },
          complete: () => {
            outstanding--;
            pump();
          },
        });
      }
    };
    pump();
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, deadline).unref());
  await Promise.race([finished, timeout]);
  const heapEnd = heapNow();
  socket.close();
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => http.close(() => resolve())));

  let duplicates = 0;
  let neverReceived = 0;
  for (let seq = 0; seq < sent; seq++) {
    const times = seen.get(seq) ?? 0;
    if (times === 0) neverReceived++;
    if (times > 1) duplicates += times - 1;
  }
  return {
    disconnects: cut,
    sent,
    acknowledged,
    lost: sent - acknowledged,
    duplicates,
    neverReceived,
    failures: failures.slice(0, 10),
    heapPerCycle: cut === 0 ? 0 : (heapEnd - heapStart) / cut,
    ms: Date.now() - started,
  };
}
