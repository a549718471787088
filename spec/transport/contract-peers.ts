/**
 * The peers of the Transport contract suite, one set per transport under
 * test: the two real transports meet real servers on 127.0.0.1 (spec/support/
 * peers.ts); TestTransport meets a script that plays the same servers in
 * memory (on real time: the default asyncScheduler), told apart by the URL's
 * host. The suite itself only sees {@link ContractPeers}.
 */
import type { Socket } from 'net';
import type { SchedulerLike, Subscription } from 'rxjs';
import { recorder } from '../support/record';
import { TestSocket, TestTransport } from '../../src/testing';
import type { Transport } from '../../src/transport/transport';
import {
  closedPort,
  Deferred,
  DeferredMap,
  SeenClose,
  startResetServer,
  startResponseServer,
  startSilentServer,
  startStallServer,
  startWsEchoServer,
  StallServer,
  uniquePath,
  within,
  WsEchoServer,
} from '../support/peers';
import { TRANSPORTS } from '../support/transports';

export interface ContractOptions {
  readonly handshakeTimeout?: number;
  readonly scheduler?: SchedulerLike;
}

/** What the peer saw of one connection. */
export interface SeenConnection {
  readonly path: string;
  /** Text and binary messages received, in order. */
  readonly messages: ReadonlyArray<string | Uint8Array>;
  /** The close code and reason, once the connection has closed. */
  readonly closed: Promise<SeenClose>;
  /** The network drops the connection (no close frame). */
  drop(): void;
}

/** A connection a stalling or silent peer holds. */
export interface HeldConnection {
  /** Resolves when this side has let go of the connection. */
  closed(): Promise<void>;
}

/** A peer that holds every connection it gets. */
export interface HoldingPeer {
  readonly url: string;
  nextUpgrade(): Promise<HeldConnection>;
  openCount(): number;
  stop(): Promise<void>;
}

/** A peer at a fixed URL, such as one that answers every upgrade with one HTTP response. */
export interface FixedPeer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Everything the contract suite connects to. */
export interface ContractPeers {
  readonly name: string;
  /** Whether the transport sends and reports ping and pong frames. */
  readonly ping: boolean;
  make(options?: ContractOptions): Transport;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** An echo peer (see `EchoPeer`) that chooses the subprotocol `chat.v2` when offered. */
  readonly echo: {
    url(): string;
    connection(url: string): Promise<SeenConnection>;
    closeSeen(url: string): Promise<SeenClose>;
    openCount(): number;
  };
  /** Accepts the connection and never answers the upgrade. */
  readonly stall: HoldingPeer;
  /** Completes the upgrade, then never sends or answers anything. */
  silent(): Promise<HoldingPeer>;
  /** Where nothing listens. */
  refusing(): Promise<FixedPeer>;
  /** Resets the connection during the handshake. */
  resetting(): Promise<FixedPeer>;
  /** Answers every upgrade with this HTTP status and headers. */
  responding(status: number, statusText: string, headers: Readonly<Record<string, string>>): Promise<FixedPeer>;
}

function socketClosed(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return within(new Promise<void>((resolve) => socket.once('close', () => resolve())), 5000, 'the server to see the socket close');
}

function holding(server: StallServer): HoldingPeer {
  return {
    url: server.url,
    nextUpgrade: async () => {
      const socket = await server.nextUpgrade();
      return { closed: () => socketClosed(socket) };
    },
    openCount: () => server.openCount(),
    stop: () => server.stop(),
  };
}

/** The real transports against real servers. */
function realPeers(name: string, ping: boolean, make: (options?: ContractOptions) => Transport): ContractPeers {
  let server: WsEchoServer;
  let stall: HoldingPeer;
  return {
    name,
    ping,
    make,
    start: async () => {
      server = await startWsEchoServer({ handleProtocols: (offered) => (offered.has('chat.v2') ? 'chat.v2' : false) });
      stall = holding(await startStallServer());
    },
    stop: async () => {
      await server?.stop();
      await stall?.stop();
    },
    echo: {
      url: () => server.url(),
      connection: async (url) => {
        const seen = await server.connection(url);
        return { path: seen.path, messages: seen.messages, closed: seen.closed, drop: () => seen.socket.terminate() };
      },
      closeSeen: (url) => server.closeSeen(url),
      openCount: () => server.openCount(),
    },
    get stall() {
      return stall;
    },
    silent: async () => holding(await startSilentServer()),
    refusing: async () => ({ url: `ws://127.0.0.1:${await closedPort()}/`, stop: async () => undefined }),
    resetting: () => startResetServer(),
    responding: (status, statusText, headers) => startResponseServer(status, statusText, headers),
  };
}

/** Polls (on real time) until `condition` holds. */
async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const BIG = 1024 * 1024;

/** TestTransport against a script that plays the same peers. */
function scriptedPeers(): ContractPeers {
  const sockets: TestSocket[] = [];
  const connections = new DeferredMap<TestSocket>();
  const arrived = new Map<string, TestSocket[]>();
  const waiting = new Map<string, Deferred<TestSocket>[]>();
  const responses = new Map<string, { status: number; headers: Readonly<Record<string, string>> }>();
  let counter = 0;

  const queue = <T>(map: Map<string, T[]>, host: string): T[] => {
    const list = map.get(host) ?? [];
    map.set(host, list);
    return list;
  };
  const hold = (host: string, socket: TestSocket): void => {
    const waiter = queue(waiting, host).shift();
    if (waiter === undefined) queue(arrived, host).push(socket);
    else waiter.resolve(socket);
  };
  const nextHeld = (host: string): Promise<TestSocket> => {
    const socket = queue(arrived, host).shift();
    if (socket !== undefined) return Promise.resolve(socket);
    const waiter = new Deferred<TestSocket>();
    queue(waiting, host).push(waiter);
    return waiter.promise;
  };
  const holdingPeer = (host: string): HoldingPeer => ({
    url: `ws://${host}/held`,
    nextUpgrade: async () => {
      const socket = await within(nextHeld(host), 5000, 'an upgrade request');
      return { closed: () => until('the peer to see the socket close', () => socket.readyState === 'CLOSED') };
    },
    openCount: () => sockets.filter((socket) => socket.connection.url.startsWith(`ws://${host}/`) && socket.readyState !== 'CLOSED').length,
    stop: async () => undefined,
  });

  const echo = (socket: TestSocket): void => {
    socket.open({ after: 0, protocol: socket.protocols.includes('chat.v2') ? 'chat.v2' : '' });
    socket.onWrite((frame, s) => {
      if (frame.type === 'binary') {
        if (frame.data.byteLength >= BIG) {
          // A large write sits in the socket's buffer for a moment, as on a real link.
          s.setBufferedAmount(s.bufferedAmount + frame.data.byteLength);
          s.setBufferedAmount(0, { after: 1 });
          s.receive(frame, { after: 1 });
        } else s.receive(frame, { after: 0 });
        return;
      }
      if (frame.type !== 'text') return;
      const close = /^close:(\d+):(.*)$/s.exec(frame.data);
      const ping = /^ping:(.*)$/s.exec(frame.data);
      if (close) s.close(Number(close[1]), close[2], { after: 0 });
      else if (ping) s.receive({ type: 'ping', data: new TextEncoder().encode(ping[1]) }, { after: 0 });
      else s.receive(frame, { after: 0 });
    });
    void until('the echo peer to accept', () => socket.readyState !== 'CONNECTING').then(
      () => socket.openedAt !== undefined && connections.set(new URL(socket.url).pathname, socket),
      () => undefined,
    );
  };

  const script = (socket: TestSocket): void => {
    sockets.push(socket);
    const host = new URL(socket.url).host;
    if (host === 'echo.test') echo(socket);
    else if (host === 'stall.test') hold(host, socket);
    else if (host === 'silent.test') {
      socket.open({ after: 0 }).silent();
      hold(host, socket);
    } else if (host === 'refused.test') socket.refuse({ after: 0 });
    else if (host === 'reset.test') socket.drop({ after: 0 });
    else {
      const response = responses.get(host);
      if (response !== undefined) socket.failHandshake(response.status, response.headers, { after: 0 });
    }
  };

  const seen = (socket: TestSocket): SeenConnection => ({
    path: new URL(socket.url).pathname,
    get messages() {
      return socket.written.flatMap(({ frame }) => (frame.type === 'text' || frame.type === 'binary' ? [frame.data] : []));
    },
    closed: until('the peer to see the socket close', () => socket.readyState === 'CLOSED').then(() => ({
      code: socket.closeCode ?? 1006,
      reason: socket.closeReason ?? '',
    })),
    drop: () => socket.drop(),
  });

  return {
    name: 'TestTransport',
    ping: true,
    make: (options = {}) => new TestTransport({ ...options, script }),
    start: async () => undefined,
    stop: async () => undefined,
    echo: {
      url: () => `ws://echo.test${uniquePath()}`,
      connection: async (url) => seen(await within(connections.get(new URL(url).pathname), 5000, `the peer to accept ${url}`)),
      closeSeen: async (url) => {
        const socket = await within(connections.get(new URL(url).pathname), 5000, `the peer to accept ${url}`);
        // What the peer sees: the close this side sent (or the 1000 of an unsubscription), once the socket has closed.
        return seen(socket).closed;
      },
      openCount: () =>
        sockets.filter((socket) => socket.connection.url.startsWith('ws://echo.test/') && socket.openedAt !== undefined && socket.readyState !== 'CLOSED').length,
    },
    stall: holdingPeer('stall.test'),
    silent: async () => holdingPeer('silent.test'),
    refusing: async () => ({ url: 'ws://refused.test/', stop: async () => undefined }),
    resetting: async () => ({ url: 'ws://reset.test/', stop: async () => undefined }),
    responding: async (status, _statusText, headers) => {
      const host = `status-${status}-${++counter}.test`;
      responses.set(host, { status, headers });
      return { url: `ws://${host}/`, stop: async () => undefined };
    },
  };
}

/** The three implementations of the Transport contract. */
export const CONTRACT_PEERS: readonly ContractPeers[] = [
  ...TRANSPORTS.map((transport) => realPeers(transport.name, transport.ping, (options) => transport.make(options))),
  scriptedPeers(),
];

/**
 * The fixture of one contract suite (call it inside its `describe`): starts and stops the peers, and after each spec
 * disposes the recordings and ends the subscriptions the spec pushed.
 */
export function contractFixture(peers: ContractPeers): { watch: ReturnType<typeof recorder>['watch']; subscriptions: Subscription[] } {
  const recordings = recorder();
  const subscriptions: Subscription[] = [];
  before(() => peers.start());
  afterEach(() => {
    recordings.dispose();
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
  });
  after(() => peers.stop());
  return { watch: recordings.watch, subscriptions };
}
