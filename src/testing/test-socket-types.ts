/**
 * The types of {@link TestSocket}'s API: its states, records and step options.
 * @packageDocumentation
 */
import type { Frame } from '../frame';
import type { ReadyState } from '../transport/transport';
import type { TestSocket } from './test-socket';

/** The ready state of one test socket (a socket always exists, so never `NONE`). */
export type TestSocketReadyState = Exclude<ReadyState, 'NONE'>;

/**
 * Who ended a test socket:
 * - `'client'`: this side, with `frames.complete()`, `frames.error()` or a sent close frame;
 * - `'unsubscribe'`: this side, by unsubscribing from `events`;
 * - `'peer'`: the scripted server, with `close()` or `failHandshake()`;
 * - `'network'`: `drop()` or `refuse()`;
 * - `'timeout'`: the handshake timeout elapsed.
 */
export type TestSocketClosedBy = 'client' | 'unsubscribe' | 'peer' | 'network' | 'timeout';

/** A frame written or received, with the scheduler time (virtual in marble tests) it happened at. */
export interface TestFrameRecord {
  /** `scheduler.now()` when the frame was written or delivered. */
  readonly time: number;
  readonly frame: Frame;
}

/** When a scripted step happens. */
export interface TestTiming {
  /**
   * Milliseconds from the call (not from the previous step) on the
   * transport's scheduler; 0 means later in the current virtual frame, like a
   * real socket's event. Without it the step happens at once, synchronously.
   * @default undefined (at once)
   */
  readonly after?: number;
}

/** Options of {@link TestSocket.open}. */
export interface TestOpenOptions extends TestTiming {
  /**
   * The subprotocol the server chooses; must be one the request offered.
   * @default ''
   */
  readonly protocol?: string;
  /**
   * The extensions the server chooses.
   * @default ''
   */
  readonly extensions?: string;
}

/** Options of {@link TestSocket.close}. */
export interface TestCloseOptions extends TestTiming {
  /**
   * Whether the closing handshake completed.
   * @default true
   */
  readonly wasClean?: boolean;
}

/** Options of {@link TestSocket.refuse}. */
export interface TestRefuseOptions extends TestTiming {
  /**
   * The runtime error code of the `ConnectError`'s cause, e.g. `'ENOTFOUND'`
   * or `'CERT_HAS_EXPIRED'` to exercise a close policy.
   * @default 'ECONNREFUSED'
   */
  readonly causeCode?: string;
}

/**
 * One step of a socket diagram ({@link TestSocket.play}): a string arrives as
 * a text frame, a `Uint8Array` as a binary frame, a frame as itself (a close
 * frame is a peer close), and a function is called with the socket.
 */
export type TestSocketStep = string | Uint8Array | Frame | ((socket: TestSocket) => void);

/** A server's reaction to each frame this side writes (see {@link TestSocket.onWrite}). */
export type TestWriteHandler = (frame: Frame, socket: TestSocket) => void;

