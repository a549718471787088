import { expect } from 'chai';
import { createServer, Server, Socket as NetSocket } from 'net';
import type { AddressInfo } from 'net';
import { VirtualTimeScheduler } from 'rxjs';
import WebSocket from 'ws';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { connect as connectPlain } from '../../src/client/connect';
import type { Socket } from '../../src/client/socket';
import { ConnectTimeoutError, HeartbeatTimeoutError, RequestTimeoutError } from '../../src/errors';
import { connect, wsTransport } from '../../src/node';
import { jsonTopics } from '../../src/protocols/json-topics';
import { TestTransport } from '../../src/testing/test-transport';
import { webSocketTransport } from '../../src/transport/web-socket';
import type { WebSocketConstructorLike } from '../../src/transport/web-socket';

/** A TCP server on 127.0.0.1 that accepts connections and never answers the upgrade. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<NetSocket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TestTransport whose every socket opens at 1 ms and then says nothing (no answer, no pong, no close). */
function silentTestServer(scheduler: VirtualTimeScheduler): TestTransport {
  return new TestTransport({ scheduler, script: (s) => s.open({ after: 1 }).silent({ after: 1 }) });
}

/** Runs the virtual clock up to and including `time`. */
function flushTo(scheduler: VirtualTimeScheduler, time: number): void {
  scheduler.maxFrames = time;
  scheduler.flush();
}

const realMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Wall-clock sleeps here only show that real time does NOT move the socket: what it does is decided by the virtual clock. */
describe('connect() on a virtual clock (VirtualTimeScheduler, not TestScheduler.run)', () => {
  let server: { url: string; close(): Promise<void> };
  const sockets: Array<{ close(): void }> = [];
  before(async () => {
    server = await silentServer();
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  after(() => server.close());

  const cases: Array<[string, (scheduler: VirtualTimeScheduler) => Socket]> = [
    ['the default ws transport', (scheduler) => connect(server.url, { scheduler, reconnect: false, heartbeat: false })],
    ['a wsTransport() given without a scheduler', (scheduler) => connect(server.url, { scheduler, transport: wsTransport(), reconnect: false, heartbeat: false })],
    [
      'a webSocketTransport() given without a scheduler',
      (scheduler) =>
        connectPlain(server.url, {
          scheduler,
          transport: webSocketTransport({ WebSocket: WebSocket as unknown as WebSocketConstructorLike }),
          reconnect: false,
          heartbeat: false,
        }),
    ],
  ];
  for (const [name, make] of cases) {
    it(`should time the connect timeout on the scheduler given to connect(), with ${name}`, async () => {
      const scheduler = new VirtualTimeScheduler();
      const socket = make(scheduler);
      sockets.push(socket);
      await realMs(400);
      expect(socket.state.status, 'after 400 ms of real time').to.equal('connecting');
      flushTo(scheduler, 9_999);
      expect(socket.state.status, 'at 9,999 ms of virtual time').to.equal('connecting');
      flushTo(scheduler, 10_000);
      expect(socket.state).to.include({ status: 'closed', gaveUp: true });
      expect((socket.state as { error?: unknown }).error).to.be.instanceOf(ConnectTimeoutError);
    });
  }

  it('should run the heartbeat, request timeouts and outbox expiry on that scheduler', () => {
    const scheduler = new VirtualTimeScheduler();
    // The server opens at 1 ms, answers nothing and never pongs.
    const transport = silentTestServer(scheduler);
    const socket = connectPlain('ws://example.test', {
      transport,
      scheduler,
      protocol: jsonTopics(),
      heartbeat: { interval: 1000, timeout: 500 },
      reconnect: { backoff: constantBackoff(100_000) },
      outbox: { ttl: 300 },
    });
    sockets.push(socket);
    const failures: unknown[] = [];
    socket.request({ type: 'get' }, { timeout: 700 }).subscribe({ error: (e: unknown) => failures.push(e) });
    flushTo(scheduler, 1600);
    expect(failures).to.have.length(1);
    expect(failures[0]).to.be.instanceOf(RequestTimeoutError);
    expect(socket.state.status).to.equal('reconnecting');
    expect((socket.state as { error?: unknown }).error).to.be.instanceOf(HeartbeatTimeoutError);
    const dropped: string[] = [];
    socket.events$.subscribe((e) => e.type === 'dropped' && dropped.push(e.reason));
    const sentAt = scheduler.now();
    socket.send({ type: 'late' });
    flushTo(scheduler, sentAt + 299);
    expect(dropped).to.deep.equal([]);
    flushTo(scheduler, sentAt + 300);
    expect(dropped).to.deep.equal(['expired']);
  });

  it('should wait the default backoff on the given scheduler and random source, even after a socket with every default was made', () => {
    // A socket with every default shares one resolved reconnect config; one given a scheduler or a random source must not.
    const plain = connectPlain('ws://example.test', { transport: new TestTransport({ script: (s) => s.open() }), lazy: true });
    sockets.push(plain);
    const scheduler = new VirtualTimeScheduler();
    const transport = new TestTransport({ scheduler, script: (s) => s.open({ after: 1 }).drop({ after: 1 }) });
    const socket = connectPlain('ws://example.test', { transport, scheduler, random: () => 0.5, heartbeat: false });
    sockets.push(socket);
    flushTo(scheduler, 1);
    expect(socket.state.status, 'dropped at 1 ms').to.equal('reconnecting');
    // The default backoff: full jitter over 1000 ms, so 500 ms with the random source at 0.5.
    flushTo(scheduler, 1 + 499);
    expect(socket.state.status, 'no second dial before 500 ms').to.equal('reconnecting');
    flushTo(scheduler, 1 + 500);
    expect(socket.state.status).to.equal('connecting');
  });

  it('should run the auth deadline and the close handshake deadline on that scheduler', () => {
    const scheduler = new VirtualTimeScheduler();
    // The server opens at 1 ms and then says nothing: no auth answer, no answer to the close frame.
    const transport = silentTestServer(scheduler);
    const socket = connectPlain('ws://example.test', {
      transport,
      scheduler,
      heartbeat: false,
      protocol: jsonTopics(),
      auth: { message: () => ({ type: 'auth' }), timeout: 400 },
      closeTimeout: 300,
      reconnect: false,
    });
    sockets.push(socket);
    flushTo(scheduler, 400);
    expect(socket.state.status, 'at 400 ms the auth answer is still awaited').to.equal('connecting');
    flushTo(scheduler, 401);
    expect(socket.state).to.include({ status: 'closed', gaveUp: true });

    const second = connectPlain('ws://example.test', { transport, scheduler, heartbeat: false, closeTimeout: 300, reconnect: false });
    sockets.push(second);
    flushTo(scheduler, 1000);
    expect(second.state.status).to.equal('open');
    second.close();
    const closingAt = scheduler.now();
    flushTo(scheduler, closingAt + 299);
    expect(second.state.status, 'the close handshake is awaited for 300 ms').to.equal('closing');
    flushTo(scheduler, closingAt + 300);
    expect(second.state.status).to.equal('closed');
  });
});
