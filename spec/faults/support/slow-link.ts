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
  /** The most a black hole after the sending may take to be found, in ms; `undefined`: not tried (with the default stallTimeout it takes minutes). */
  readonly detectWithin: number | undefined;
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
    // What was handed over but not yet forwarded: a ping sent now waits behind it for longer than the timeout.
    const queued = sent * run.messageSize - proxy.forwarded();
    const timeout = run.heartbeat?.timeout ?? 10_000;
    expect(queued, 'a queue longer than the timeout built up').to.be.above((2 * run.bytesPerSecond * timeout) / 1000);
    expect(received).to.be.above(0);
    expect(Date.now() - started).to.be.at.least(run.sendFor);

    clearInterval(sender);
    if (run.detectWithin === undefined) return;
    const holedAt = Date.now();
    proxy.blackHole();
    const within = run.detectWithin;
    await waitFor(() => socket.state.status === 'reconnecting', within + 3000, 'reconnecting after the black hole');
    const took = Date.now() - holedAt;
    expect(took, `a link that moves nothing is found within ${within} ms`).to.be.below(within);
    expect((socket.state as { error?: unknown }).error).to.be.instanceOf(HeartbeatTimeoutError);
  } finally {
    clearInterval(sender);
    socket.close();
    await proxy.close();
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}

/** Polls `predicate` every 5 ms until it holds; rejects after `ms` naming `what`. */
export function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
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

/** An idle socket through a throttling proxy that then stops forwarding: found within `detectWithin` ms. */
export async function idleBlackHole(heartbeat: HeartbeatOptions<Uint8Array, Uint8Array> | undefined, detectWithin: number): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const proxy = await startThrottledProxy((wss.address() as AddressInfo).port, { bytesPerSecond: 8192 });
  const socket = connect<Uint8Array, Uint8Array>(proxy.url, {
    codec: binary(),
    ...(heartbeat === undefined ? {} : { heartbeat }),
    reconnect: { backoff: constantBackoff(60_000) },
  });
  try {
    await waitFor(() => socket.state.status === 'open', 5000, 'open');
    socket.send(new Uint8Array(1024));
    const holedAt = Date.now();
    proxy.blackHole();
    await waitFor(() => socket.state.status === 'reconnecting', detectWithin + 3000, 'reconnecting after the black hole');
    const took = Date.now() - holedAt;
    expect(took).to.be.below(detectWithin);
    expect((socket.state as { error?: unknown }).error).to.be.instanceOf(HeartbeatTimeoutError);
    return took;
  } finally {
    socket.close();
    await proxy.close();
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}
