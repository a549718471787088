/**
 * A continuous sender behind a throttling proxy: the scenario where a heartbeat that counts only inbound frames kills
 * a healthy link (its ping waits behind the outbound data). Shared by the short run in `npm test` and the 2-minute run
 * at 8 KB/s (`npm run test:long`).
 */
import { expect } from 'chai';
import type { AddressInfo } from 'net';
import { WebSocketServer } from 'ws';
import { constantBackoff } from '../../../src/backoff/constant-backoff';
import { binary } from '../../../src/client/codec';
import type { HeartbeatOptions } from '../../../src/client/connect-options';
import type { SocketEvent } from '../../../src/client/events';
import type { Socket } from '../../../src/client/socket';
import type { SocketStatus } from '../../../src/client/state';
import { HeartbeatTimeoutError } from '../../../src/errors';
import { connect } from '../../../src/node';
import { startThrottledProxy } from './fault-peers';

export interface SlowLinkRun {
  /** The proxy's rate, client to server. */
  readonly bytesPerSecond: number;
  /** How long to send continuously, in ms. */
  readonly sendFor: number;
  /** Size of each message. */
  readonly messageSize: number;
  /** The heartbeat (`undefined`: the defaults). */
  readonly heartbeat: HeartbeatOptions<Uint8Array, Uint8Array> | undefined;
  /** The most a black hole may take to be found, in ms. */
  readonly detectWithin: number;
}

/**
 * Sends continuously (pausing while the socket reports backpressure) through a proxy forwarding `bytesPerSecond` to a
 * server that only reads, for `sendFor` ms, and asserts the socket stayed open with no heartbeat timeout although its
 * pings waited behind the data; then stops the proxy forwarding altogether and asserts the heartbeat finds it within
 * `detectWithin` ms.
 */
export async function slowLink(run: SlowLinkRun): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  let received = 0;
  wss.on('connection', (ws) => ws.on('message', () => received++));
  const proxy = await startThrottledProxy((wss.address() as AddressInfo).port, { bytesPerSecond: run.bytesPerSecond });
  const socket: Socket<Uint8Array, Uint8Array> = connect<Uint8Array, Uint8Array>(proxy.url, {
    codec: binary(),
    ...(run.heartbeat === undefined ? {} : { heartbeat: run.heartbeat }),
    reconnect: { backoff: constantBackoff(60_000) },
  });
  const events: SocketEvent[] = [];
  const statuses: SocketStatus[] = [];
  let paused = false;
  socket.events$.subscribe((e) => {
    events.push(e);
    if (e.type === 'backpressure') paused = e.paused;
  });
  socket.state$.subscribe((s) => statuses.push(s.status));
  let sent = 0;
  const message = new Uint8Array(run.messageSize).fill(0x61);
  const sender = setInterval(() => {
    // Twice the link's rate, so a backlog builds in the socket (and the operating system's buffers before it).
    const perTick = Math.max(1, Math.ceil((2 * run.bytesPerSecond) / 100 / run.messageSize));
    for (let i = 0; i < perTick && !paused && socket.state.status === 'open'; i++) {
      socket.send(message);
      sent++;
    }
  }, 10);
  try {
    await waitFor(() => socket.state.status === 'open', 5000, 'open');
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, run.sendFor));
    const timeouts = events.filter((e) => e.type === 'heartbeat-timeout');
    expect(timeouts, 'no heartbeat timeout on a slow, healthy link').to.deep.equal([]);
    expect(statuses.filter((s, i) => i === 0 || statuses[i - 1] !== s)).to.deep.equal(['connecting', 'open']);
    expect(proxy.forwarded(), 'the link set the pace').to.be.within(0.5 * run.bytesPerSecond * (run.sendFor / 1000), 1.5 * run.bytesPerSecond * (run.sendFor / 1000) + 65536);
    const pausedEvents = events.filter((e) => e.type === 'backpressure' && e.paused);
    expect(pausedEvents.length, 'a backlog built up in the socket').to.be.at.least(1);
    expect(received).to.be.above(0);
    expect(Date.now() - started).to.be.at.least(run.sendFor);

    clearInterval(sender);
    const holedAt = Date.now();
    proxy.blackHole();
    await waitFor(() => socket.state.status === 'reconnecting', run.detectWithin + 3000, 'reconnecting after the black hole');
    const took = Date.now() - holedAt;
    expect(took, `a link that moves nothing is found within ${run.detectWithin} ms`).to.be.below(run.detectWithin);
    expect((socket.state as { error?: unknown }).error).to.be.instanceOf(HeartbeatTimeoutError);
  } finally {
    clearInterval(sender);
    socket.close();
    await proxy.close();
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}

function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const poll = (): void => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}
