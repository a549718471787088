/**
 * `npm start`: rxnova against an embedded local server.
 *
 * Starts a ws echo server on 127.0.0.1, connects with `connect()` from
 * 'rxnova/node', sends messages in batches, and restarts the server three
 * times (closing every client with 1012 "service restart"), sending a batch
 * while it is down each time. Prints every state transition as it happens
 * and ends with "sent N, delivered N, dropped 0". Exits non-zero if any
 * message was lost or duplicated.
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { connect, exponentialBackoff, logTo } from '../src/node';
import { log, runExample } from './run-example';

interface Message {
  readonly id: number;
}

const BATCH = 250;
const RESTARTS = 3;

/** An echo server on a fixed port that can be stopped and started again. */
class EchoServer {
  received = 0;
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;
  port = 0;

  async start(): Promise<void> {
    this.http = createServer();
    this.wss = new WebSocketServer({ server: this.http });
    this.wss.on('connection', (ws) => {
      ws.on('message', (data, isBinary) => {
        this.received++;
        ws.send(data, { binary: isBinary });
      });
    });
    await new Promise<void>((resolve) => this.http!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.http.address() as AddressInfo).port;
  }

  /** Closes every client with 1012 (service restart) and stops listening. */
  async stop(): Promise<void> {
    for (const client of this.wss!.clients) client.close(1012, 'service restart');
    await new Promise<void>((resolve) => this.wss!.close(() => resolve()));
    await new Promise<void>((resolve) => this.http!.close(() => resolve()));
  }
}

async function until(predicate: () => boolean, what: string, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function main(): Promise<void> {
  const server = new EchoServer();
  await server.start();
  log(`echo server listening on 127.0.0.1:${server.port}`);

  const socket = connect<Message, Message>(`ws://127.0.0.1:${server.port}/demo`, {
    reconnect: { backoff: exponentialBackoff({ initialDelay: 100, maxDelay: 1000, jitter: 'equal' }) },
    heartbeat: { interval: 2000, timeout: 1000 },
  });

  let dropped = 0;
  socket.events$.subscribe((event) => {
    if (event.type === 'dropped') dropped++;
  });
  socket.events$.subscribe(logTo({ warn: (message) => log(message) }, { level: 'warn', levels: { 'reconnect-scheduled': false } }));
  socket.state$.subscribe((state) => {
    switch (state.status) {
      case 'connecting':
        return log(`state: connecting (attempt ${state.attempt})`);
      case 'open':
        return log(`state: open (${socket.queued} queued)`);
      case 'reconnecting':
        return log(`state: reconnecting in ${Math.round(state.delay)} ms (attempt ${state.attempt}): ${(state.error as Error).message}`);
      case 'closing':
        return log(`state: closing (${state.code})`);
      case 'closed':
        return log(`state: closed (code ${state.code ?? '-'}, ${state.requested ? 'asked for' : state.gaveUp ? 'gave up' : 'idle'})`);
    }
  });

  const delivered: number[] = [];
  let outOfOrder = 0;
  socket.messages$.subscribe((message) => {
    if (delivered.length > 0 && message.id !== delivered[delivered.length - 1]! + 1) outOfOrder++;
    delivered.push(message.id);
  });

  let sent = 0;
  const sendBatch = (): void => {
    for (let i = 0; i < BATCH; i++) socket.send({ id: ++sent });
  };

  await until(() => socket.state.status === 'open', 'the first open');
  for (let round = 1; round <= RESTARTS; round++) {
    sendBatch();
    await until(() => delivered.length === sent, `batch ${round} echoed`);
    log(`batch ${round}: ${BATCH} sent and echoed; restarting the server`);
    await server.stop();
    sendBatch();
    log(`sent ${BATCH} while the server is down (${socket.queued} queued in the outbox)`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.start();
    await until(() => delivered.length === sent, `the queued batch after restart ${round}`);
  }
  sendBatch();
  await until(() => delivered.length === sent, 'the last batch');
  socket.close(1000, 'demo done');
  await until(() => socket.state.status === 'closed', 'the close');
  await server.stop();

  const unique = new Set(delivered).size;
  console.log(`sent ${sent}, delivered ${unique}, dropped ${dropped}${outOfOrder ? `, out of order ${outOfOrder}` : ''}`);
  const ok = unique === sent && delivered.length === sent && dropped === 0 && outOfOrder === 0 && server.received === sent;
  process.exitCode = ok ? 0 : 1;
}

runExample('demo', 15_000, main);
