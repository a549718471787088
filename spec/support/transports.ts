/** The transports every shared spec runs against. */
import type { SchedulerLike } from 'rxjs';
import WebSocket from 'ws';
import type { Transport } from '../../src/transport/transport';
import { webSocketTransport } from '../../src/transport/web-socket';
import { wsTransport } from '../../src/transport/ws';

export interface CommonOptions {
  readonly handshakeTimeout?: number;
  readonly scheduler?: SchedulerLike;
}

export interface TransportUnderTest {
  readonly name: string;
  /** Can send ping and pong frames and reports received ones. */
  readonly ping: boolean;
  make(options?: CommonOptions): Transport;
}

export const TRANSPORTS: readonly TransportUnderTest[] = [
  { name: 'wsTransport()', ping: true, make: (options = {}) => wsTransport(options) },
  {
    name: 'webSocketTransport({ WebSocket: ws })',
    ping: false,
    make: (options = {}) => webSocketTransport({ WebSocket: WebSocket.WebSocket, ...options }),
  },
];
