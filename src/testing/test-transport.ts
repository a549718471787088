import { SchedulerLike, asyncScheduler } from 'rxjs';
import { InvalidOptionsError } from '../errors';
import type { Transport, TransportCapabilities, TransportRequest } from '../transport/transport';
import { checkScheduler } from '../invalid';
import { checkHandshakeTimeout, resolveRequest } from '../transport/socket-connection';
import { TestConnection } from './test-connection';
import type { TestSocket } from './test-socket';
import type { TestFrameRecord } from './test-socket-types';

export { TestConnection } from './test-connection';

/**
 * The server's behaviour for each new socket: called once per subscription
 * of a connection's `events`, synchronously, with the new `CONNECTING`
 * socket and its `index` in `transport.sockets` (0-based, over every
 * connection; `socket.attempt` counts within the connection). It drives the
 * socket with its methods, usually with `{ after }` delays.
 *
 * If the script throws, the socket ends (`closedBy` `'peer'`) and `events`
 * errors with what it threw.
 *
 * ```ts
 * // Refuse the first three sockets, then open 5 ms after the fourth starts.
 * const script: TestScript = (socket, i) => (i < 3 ? socket.refuse() : socket.open({ after: 5 }));
 * ```
 */
export type TestScript = (socket: TestSocket, index: number) => void;

/** A frame written through any connection of a {@link TestTransport}, with its time and socket. */
export interface TestTransportWrite extends TestFrameRecord {
  /** The socket it was written to. */
  readonly socket: TestSocket;
}

/** Configuration of a {@link TestTransport}. */
export interface TestTransportConfig {
  /**
   * The scheduler every delay and timeout runs on, for connections whose
   * request brings no `scheduler` of its own (one that does runs its
   * handshake timeout and its sockets' scripted steps on that). In a marble test pass the
   * TestScheduler (`m.scheduler` in rxjs-marbles, or the `TestScheduler` you
   * `run()`); the default `asyncScheduler` also runs in virtual time inside
   * `TestScheduler.run()` (which rxjs-marbles' `marbles()` uses).
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
  /**
   * What the transport claims it can do. With `ping: false` writing a ping or
   * pong throws `UnsupportedFrameError` (as the WHATWG transport does); with
   * `headers: false` a request with headers throws `InvalidOptionsError`.
   * @default { ping: true, headers: true }
   */
  readonly capabilities?: Partial<TransportCapabilities>;
  /**
   * Milliseconds a socket may stay `CONNECTING` before `events` errors with
   * `ConnectTimeoutError`; a request's own `handshakeTimeout` overrides it;
   * 0 disables. A step scheduled for exactly the deadline comes too late.
   * @default 10000
   */
  readonly handshakeTimeout?: number;
  /**
   * The server's behaviour for each new socket (see {@link TestScript}).
   * @default (socket) => socket.open({ after: 0 }) (opens in the frame it was subscribed in, asynchronously, as a real socket does)
   */
  readonly script?: TestScript;
  /**
   * Whether the server answers each ping this side writes with a pong (a
   * live peer does). Per socket: `socket.autoPong(false)`, or `socket.silent()`.
   * @default true
   */
  readonly autoPong?: boolean;
  /**
   * The transport's `name`.
   * @default 'test'
   */
  readonly name?: string;
}

const DEFAULT_SCRIPT: TestScript = (socket) => {
  socket.open({ after: 0 });
};

/**
 * A scripted {@link Transport} for marble tests: each subscription of a
 * connection's `events` makes a {@link TestSocket} that the test (through the
 * `script`, or directly through `transport.last`) opens, feeds frames,
 * closes, drops, refuses or leaves half-open, on the scheduler's (virtual)
 * time. Its connections run on the same code as the real transports, so the
 * contract holds by construction (URL and frame validation, `NotOpenError`
 * naming the ready state, writes to the newest subscription, the close event
 * last, complete only when this side closed, `drained()`), and it records
 * every connection, socket and written frame with its time.
 *
 * ```
 * script: (s, i) => i < 2 ? s.refuse({ after: 1 }) : s.open({ after: 5 })
 * socket 0 (starts at 0):   -#
 * socket 1 (starts at 11):             -#
 * socket 2 (starts at 22):                        -----o
 * events.pipe(retry({ delay: 10 })): ---------------------------o    (open at 27)
 * ```
 *
 * @example
 * ```ts
 * import { marbles } from 'rxjs-marbles/mocha';
 * import { retry } from 'rxjs';
 * import { TestTransport, openEvent } from 'rxnova/testing';
 *
 * it('should open on the fourth attempt', marbles((m) => {
 *   const transport = new TestTransport({
 *     scheduler: m.scheduler,
 *     script: (socket, i) => (i < 3 ? socket.refuse({ after: 1 }) : socket.open({ after: 5 })),
 *   });
 *   const { events } = transport.open({ url: 'ws://example.test/feed' });
 *   m.expect(events.pipe(retry({ delay: 10 }))).toBeObservable('38ms o', { o: openEvent() });
 *   m.flush();
 *   expect(transport.sockets.map((s) => s.startedAt)).to.deep.equal([0, 11, 22, 33]);
 * }));
 * ```
 */
export class TestTransport implements Transport {
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  /** The scheduler every delay and timeout of this transport runs on. */
  readonly scheduler: SchedulerLike;
  /** The default handshake timeout, in ms (0: none). */
  readonly handshakeTimeout: number;
  /** Every request passed to `open()`, in order, including those it rejected. */
  readonly requests: readonly TransportRequest[] = [];
  /** Every connection `open()` returned, in order. */
  readonly connections: readonly TestConnection[] = [];
  /** Every socket, in the order `events` was subscribed, over all connections. */
  readonly sockets: readonly TestSocket[] = [];
  /** Every frame written through any connection, in order, with its time and socket. */
  readonly written: readonly TestTransportWrite[] = [];
  /** @internal */
  readonly _script: TestScript;
  /** @internal */
  readonly _autoPong: boolean;

  constructor(config: TestTransportConfig = {}) {
    if (typeof config !== 'object' || config === null) {
      throw new InvalidOptionsError(`TestTransport: config must be an object, got ${config === null ? 'null' : typeof config}`);
    }
    const {
      scheduler = asyncScheduler,
      capabilities = {},
      handshakeTimeout = 10_000,
      script = DEFAULT_SCRIPT,
      autoPong = true,
      name = 'test',
    } = config;
    checkScheduler('TestTransport: scheduler', scheduler);
    checkHandshakeTimeout(handshakeTimeout, 'TestTransport handshakeTimeout');
    if (typeof script !== 'function') {
      throw new InvalidOptionsError(`TestTransport: script must be a function (socket, index) => void, got ${typeof script}`);
    }
    const { ping = true, headers = true } = capabilities;
    this.name = name;
    this.capabilities = { ping, headers };
    this.scheduler = scheduler;
    this.handshakeTimeout = handshakeTimeout;
    this._script = script;
    this._autoPong = autoPong;
  }

  /** The newest socket of any connection, or `undefined` before the first subscription. */
  get last(): TestSocket | undefined {
    const { sockets } = this;
    return sockets[sockets.length - 1];
  }

  /** The newest connection, or `undefined` before the first `open()`. */
  get lastConnection(): TestConnection | undefined {
    const { connections } = this;
    return connections[connections.length - 1];
  }

  /**
   * Prepares a connection, validating the request as a real transport does:
   * the URL (`InvalidUrlError`), the protocols, headers and handshake timeout
   * (`InvalidOptionsError`). Nothing happens until `events` is subscribed.
   */
  open(request: TransportRequest): TestConnection {
    (this.requests as TransportRequest[]).push(request);
    const resolved = resolveRequest(request, this.handshakeTimeout, this.scheduler);
    if (resolved.headers !== undefined && !this.capabilities.headers) {
      throw new InvalidOptionsError(
        `headers (${Object.keys(resolved.headers).join(', ')}) cannot be sent: this transport (${this.name}) has capabilities.headers false; ` +
          'pass credentials in the URL or the first message, or use a transport that supports headers',
      );
    }
    const connection = new TestConnection(this, this.connections.length, request, resolved);
    (this.connections as TestConnection[]).push(connection);
    return connection;
  }

  /** @internal */
  _register(socket: TestSocket): void {
    (this.sockets as TestSocket[]).push(socket);
  }

  /** @internal */
  _recordWrite(socket: TestSocket, record: TestFrameRecord): void {
    (this.written as TestTransportWrite[]).push({ time: record.time, frame: record.frame, socket });
  }
}
