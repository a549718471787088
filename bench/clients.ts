/**
 * One adapter per client kind, each written the way that library's own
 * documentation shows it, and each doing the same work for its user: a text
 * message is handed over as a string, a binary one as bytes (`ws`'s Buffer,
 * or a Uint8Array view of it; never a copy), a JSON one as the parsed value.
 * Every WHATWG-style peer is given `ws` as its WebSocket constructor and
 * `binaryType = 'nodebuffer'`, the same zero-copy delivery rxnova's
 * wsTransport uses, so the comparison is of the wrappers, not of data copies.
 *
 * Runs inside a client child process (bench/child.ts), one kind per process.
 */
import WebSocket from 'ws';
import type { RawData } from 'ws';
import { first, interval, retry, Subscription } from 'rxjs';
import { webSocket } from 'rxjs/webSocket';
import type { WebSocketSubjectConfig } from 'rxjs/webSocket';
import { binary, connect, constantBackoff, json, reconnect, text, wsTransport } from '../src/node';
import type { Codec, Socket, TransportEvent } from '../src/node';

/** How messages are carried: a string in a text frame, bytes in a binary frame, or a JSON value in a text frame. */
export type CodecKind = 'text' | 'binary' | 'json';

/** The client kinds the bench knows. */
export const KINDS = [
  'ws',
  'rxnova-transport',
  'rxnova',
  'rxjs',
  'reconnecting-websocket',
  'partysocket',
  'websocket-ts',
] as const;
export type Kind = (typeof KINDS)[number];

export interface AdapterOptions {
  readonly url: string;
  readonly codec: CodecKind;
  /** Called with every received message (string, bytes or parsed JSON). */
  readonly onMessage: (data: unknown) => void;
  /** Called on every open, first and reconnects. */
  readonly onOpen: () => void;
  /** Reconnect at once (no backoff) when the server drops the socket. */
  readonly reconnect: boolean;
  /** Milliseconds between heartbeat pings, or 0 for the library's default (rxnova) / none (others). */
  readonly heartbeat: number;
  /** Subscribe to rxnova's events$ (telemetry on). */
  readonly telemetry: boolean;
}

export interface Adapter {
  send(message: unknown): void;
  /** Drops everything this adapter holds (timers, sockets). */
  close(): void;
}

/** Which kinds can run a measure with these options (undefined = yes, otherwise the reason not). */
export function unsupported(kind: Kind, options: Pick<AdapterOptions, 'codec' | 'heartbeat'>): string | undefined {
  if (options.codec === 'json' && kind !== 'ws' && kind !== 'rxnova' && kind !== 'rxjs') return 'json is compared for ws, rxnova and rxjs only';
  if (options.codec === 'json' && kind === 'rxnova-transport') return 'the transport has no codec';
  if (options.heartbeat > 0 && kind !== 'ws' && kind !== 'rxnova' && kind !== 'rxjs') return 'no heartbeat';
  return undefined;
}

const asText = (data: RawData, isBinary: boolean): string | Buffer => (isBinary ? (data as Buffer) : (data as Buffer).toString());

// ---- raw ws ------------------------------------------------------------------------------------

function rawWs(options: AdapterOptions): Adapter {
  const { url, codec, onMessage, onOpen } = options;
  let socket: WebSocket;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const dial = (): void => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    socket = ws;
    ws.on('open', onOpen);
    if (codec === 'json') ws.on('message', (data: RawData) => onMessage(JSON.parse((data as Buffer).toString())));
    else ws.on('message', (data: RawData, isBinary: boolean) => onMessage(asText(data, isBinary)));
    ws.on('error', () => undefined);
    if (options.reconnect) ws.on('close', () => closed || dial());
    if (options.heartbeat > 0) {
      // The heartbeat ws's own README shows: ping every interval, terminate when the last ping got no pong.
      let alive = true;
      ws.on('pong', () => {
        alive = true;
      });
      ws.on('open', () => {
        timer = setInterval(() => {
          if (!alive) {
            ws.terminate();
            return;
          }
          alive = false;
          ws.ping();
        }, options.heartbeat);
      });
      ws.on('close', () => clearInterval(timer));
    }
  };
  dial();
  return {
    send: codec === 'json' ? (message) => socket.send(JSON.stringify(message)) : (message) => socket.send(message as string | Buffer),
    close: () => {
      closed = true;
      clearInterval(timer);
      socket.terminate();
    },
  };
}

// ---- rxnova ------------------------------------------------------------------------------------

function rxnovaTransport(options: AdapterOptions): Adapter {
  const { url, codec, onMessage, onOpen } = options;
  const connection = wsTransport().open({ url });
  let events = connection.events;
  if (options.reconnect) events = events.pipe(reconnect({ backoff: constantBackoff(0) }));
  const subscription = events.subscribe({
    next: (event: TransportEvent) => {
      if (event.type === 'frame') {
        const frame = event.frame;
        if (frame.type === 'text' || frame.type === 'binary') onMessage(frame.data);
      } else if (event.type === 'open') onOpen();
    },
    error: () => undefined,
  });
  const frames = connection.frames;
  return {
    send:
      codec === 'binary'
        ? (message) => frames.next({ type: 'binary', data: message as Uint8Array })
        : (message) => frames.next({ type: 'text', data: message as string }),
    close: () => subscription.unsubscribe(),
  };
}

function rxnovaSocket(options: AdapterOptions): Adapter {
  const { url, onMessage, onOpen } = options;
  const codec = (options.codec === 'binary' ? binary() : options.codec === 'json' ? json() : text()) as Codec<unknown, unknown>;
  const socket: Socket<unknown, unknown> = connect<unknown, unknown>(url, {
    codec,
    ...(options.reconnect ? { reconnect: { backoff: constantBackoff(0) } } : {}),
    // 0: the default heartbeat (protocol pings every 30 s, 10 s deadline).
    ...(options.heartbeat > 0 ? { heartbeat: { interval: options.heartbeat, timeout: options.heartbeat } } : {}),
  });
  const subscriptions = new Subscription();
  subscriptions.add(socket.messages$.subscribe({ next: onMessage, error: () => undefined }));
  if (options.reconnect) {
    let wasOpen = false;
    subscriptions.add(
      socket.state$.subscribe((state) => {
        const open = state.status === 'open';
        if (open && !wasOpen) onOpen();
        wasOpen = open;
      }),
    );
  } else {
    // Only the first open matters: the subscription ends there, so an idle socket holds none (a fair heap figure).
    subscriptions.add(socket.state$.pipe(first((state) => state.status === 'open')).subscribe(() => onOpen()));
  }
  if (options.telemetry) {
    let count = 0;
    subscriptions.add(
      socket.events$.subscribe(() => {
        count++;
      }),
    );
  }
  return {
    send: (message) => socket.send(message),
    close: () => {
      subscriptions.unsubscribe();
      socket.close();
    },
  };
}

// ---- rxjs webSocket ----------------------------------------------------------------------------

interface MessageLike {
  readonly data: unknown;
}

function rxjsWebSocket(options: AdapterOptions): Adapter {
  const { url, codec, onMessage, onOpen } = options;
  // rxjs types WebSocketCtor with the DOM's WebSocket; ws implements that API.
  const WebSocketCtor = WebSocket as unknown as WebSocketSubjectConfig<unknown>['WebSocketCtor'];
  const subject =
    codec === 'json'
      ? webSocket<unknown>({ url, WebSocketCtor, openObserver: { next: onOpen } })
      : webSocket<unknown>({
          url,
          WebSocketCtor,
          openObserver: { next: onOpen },
          serializer: (value: unknown) => value as string,
          deserializer: (event: MessageLike) => event.data,
        });
  let source = subject.asObservable();
  if (options.reconnect) source = source.pipe(retry());
  const subscriptions = new Subscription();
  subscriptions.add(source.subscribe({ next: onMessage, error: () => undefined }));
  if (options.heartbeat > 0) {
    // No protocol pings through the WHATWG API: an application ping that the echo server answers.
    subscriptions.add(interval(options.heartbeat).subscribe(() => subject.next(codec === 'json' ? { type: 'ping' } : 'ping')));
  }
  return {
    send: (message) => subject.next(message),
    close: () => {
      subscriptions.unsubscribe();
      subject.complete();
    },
  };
}

// ---- WHATWG-style reconnecting peers -----------------------------------------------------------

/** The part of the WHATWG WebSocket API the peers expose, as used here. */
interface WhatwgLike {
  binaryType: string;
  addEventListener(type: string, listener: (event: MessageLike) => void): void;
  send(data: unknown): void;
  close(): void;
}

const NO_DELAY = {
  minReconnectionDelay: 0,
  maxReconnectionDelay: 0,
  reconnectionDelayGrowFactor: 1,
  connectionTimeout: 10_000,
  maxEnqueuedMessages: 0,
};

function whatwgPeer(options: AdapterOptions, socket: WhatwgLike): Adapter {
  const { onMessage, onOpen } = options;
  socket.binaryType = 'nodebuffer';
  socket.addEventListener('open', onOpen);
  socket.addEventListener('message', (event) => onMessage(event.data));
  socket.addEventListener('error', () => undefined);
  return {
    send: (message) => socket.send(message),
    close: () => socket.close(),
  };
}

/** A reconnecting-websocket-style peer (same constructor options), without reconnection delays. */
function noDelayPeer(ReconnectingWebSocket: new (...args: unknown[]) => WhatwgLike, options: AdapterOptions): Adapter {
  const socket = new ReconnectingWebSocket(options.url, [], {
    WebSocket,
    ...NO_DELAY,
    maxRetries: options.reconnect ? Infinity : 0,
  });
  return whatwgPeer(options, socket);
}

function reconnectingWebSocket(options: AdapterOptions): Adapter {
  // Its CommonJS build exports the class itself.
  return noDelayPeer(require('reconnecting-websocket') as new (...args: unknown[]) => WhatwgLike, options);
}

function partySocket(options: AdapterOptions): Adapter {
  return noDelayPeer((require('partysocket/ws') as { default: new (...args: unknown[]) => WhatwgLike }).default, options);
}

function websocketTs(options: AdapterOptions): Adapter {
  // websocket-ts constructs the global WebSocket; Node 20 has none, so ws is put there (this process runs one kind).
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  const lib = require('websocket-ts') as typeof import('websocket-ts');
  const { onMessage, onOpen } = options;
  let builder = new lib.WebsocketBuilder(options.url)
    .onOpen(() => onOpen())
    .onMessage((_instance, event) => onMessage((event as MessageLike).data));
  if (options.reconnect) builder = builder.withBackoff(new lib.ConstantBackoff(0));
  // Each new underlying ws keeps ws's default binaryType, 'nodebuffer' (websocket-ts does not set one).
  const socket = builder.build();
  return {
    send: (message) => socket.send(message as string),
    close: () => socket.close(),
  };
}

export function createAdapter(kind: Kind, options: AdapterOptions): Adapter {
  switch (kind) {
    case 'ws':
      return rawWs(options);
    case 'rxnova-transport':
      return rxnovaTransport(options);
    case 'rxnova':
      return rxnovaSocket(options);
    case 'rxjs':
      return rxjsWebSocket(options);
    case 'reconnecting-websocket':
      return reconnectingWebSocket(options);
    case 'partysocket':
      return partySocket(options);
    case 'websocket-ts':
      return websocketTs(options);
  }
}
