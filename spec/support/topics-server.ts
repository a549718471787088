/**
 * A server speaking the common topic protocol of `jsonTopics()` over a real
 * `ws` WebSocketServer on 127.0.0.1, port 0:
 *
 * - `{ type: 'subscribe', topic, params?, id? }` → `{ id, data: { subscribed: topic } }`;
 *   a topic starting with `forbidden` → `{ id, error: { code: 'E_TOPIC', message, data: { topic } } }`.
 * - `{ type: 'unsubscribe', topic, id? }` → `{ id, data: { unsubscribed: topic } }`.
 * - `{ type: 'ping' }` → `{ type: 'pong' }`.
 * - requests with an `id`: `{ type: 'echo', value }` → `{ id, data: value }`;
 *   `{ type: 'add', a, b }` → `{ id, data: a + b }`; `{ type: 'fail' }` →
 *   `{ id, error: 'plain failure' }`; any other type → `{ id, error: { code:
 *   'E_UNKNOWN_TYPE', message, data: { type } } }`.
 * - pushes `{ topic, data }` to the subscribers of a topic ({@link TopicsServer.publish}),
 *   and `{ type: 'error', topic, error }` when a topic fails ({@link TopicsServer.failTopic}).
 *
 * Everything it starts is stopped by `dispose()`.
 */
import { createServer } from 'http';
import type { AddressInfo, Socket as NetSocket } from 'net';
import WebSocket, { WebSocketServer } from 'ws';

/** A message as the server received it. */
export type TopicsMessage = Record<string, unknown>;

/** One accepted connection, as the server saw it. */
export interface TopicsConnection {
  readonly index: number;
  /** Every message received, parsed, in arrival order (pings included). */
  readonly messages: TopicsMessage[];
  /** The topics subscribed now. */
  readonly topics: Set<string>;
  /** Subscribe messages per topic. */
  readonly subscribes: Map<string, number>;
  /** Unsubscribe messages per topic. */
  readonly unsubscribes: Map<string, number>;
  /** Application-level pings (`{ type: 'ping' }`) received. */
  appPings: number;
  /** Protocol-level ping frames received. */
  pingFrames: number;
}

/** A running topics server. */
export interface TopicsServer {
  /** `ws://127.0.0.1:PORT/topics`. */
  readonly url: string;
  readonly connections: TopicsConnection[];
  /** Sends `{ topic, data }` to every connection subscribed to `topic`; returns how many got it. */
  publish(topic: string, data: unknown): number;
  /** Sends `{ type: 'error', topic, error }` to every subscriber of `topic` and drops their subscriptions; returns how many got it. */
  failTopic(topic: string, error: unknown): number;
  /** Sends a raw message to every open connection. */
  broadcast(message: unknown): void;
  /** Terminates every connection and stops listening. Idempotent. */
  dispose(): Promise<void>;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Starts a {@link TopicsServer}. */
export async function startTopicsServer(): Promise<TopicsServer> {
  const connections: TopicsConnection[] = [];
  const sockets = new Map<TopicsConnection, WebSocket>();
  const raw = new Set<NetSocket>();
  const http = createServer();
  http.on('connection', (socket: NetSocket) => {
    raw.add(socket);
    socket.on('close', () => raw.delete(socket));
  });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });

  const send = (connection: TopicsConnection, message: unknown): void => {
    const socket = sockets.get(connection);
    if (socket !== undefined && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  const answer = (connection: TopicsConnection, message: TopicsMessage): unknown => {
    const { type, topic, id } = message;
    switch (type) {
      case 'ping':
        connection.appPings++;
        return { type: 'pong' };
      case 'subscribe':
        if (typeof topic !== 'string') return { id, error: { code: 'E_TOPIC', message: 'topic required' } };
        count(connection.subscribes, topic);
        if (topic.startsWith('forbidden')) return { id, error: { code: 'E_TOPIC', message: `unknown topic ${topic}`, data: { topic } } };
        connection.topics.add(topic);
        return { id, data: { subscribed: topic } };
      case 'unsubscribe':
        if (typeof topic !== 'string') return { id, error: { code: 'E_TOPIC', message: 'topic required' } };
        count(connection.unsubscribes, topic);
        connection.topics.delete(topic);
        return { id, data: { unsubscribed: topic } };
      case 'echo':
        return { id, data: message.value };
      case 'add':
        return { id, data: Number(message.a) + Number(message.b) };
      case 'fail':
        return { id, error: 'plain failure' };
      default:
        return { id, error: { code: 'E_UNKNOWN_TYPE', message: `unknown type ${String(type)}`, data: { type } } };
    }
  };

  wss.on('connection', (socket: WebSocket) => {
    const connection: TopicsConnection = {
      index: connections.length,
      messages: [],
      topics: new Set(),
      subscribes: new Map(),
      unsubscribes: new Map(),
      appPings: 0,
      pingFrames: 0,
    };
    connections.push(connection);
    sockets.set(connection, socket);
    socket.on('error', () => undefined);
    socket.on('ping', () => connection.pingFrames++);
    socket.on('close', () => sockets.delete(connection));
    socket.on('message', (data: Buffer) => {
      let message: TopicsMessage;
      try {
        message = JSON.parse(data.toString()) as TopicsMessage;
      } catch {
        send(connection, { type: 'error', error: { code: 'E_PARSE', message: 'not JSON' } });
        return;
      }
      connection.messages.push(message);
      const reply = answer(connection, message);
      // Only pings and messages with an id get an answer.
      if (message.type === 'ping' || message.id !== undefined) send(connection, reply);
    });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  let disposed = false;

  return {
    url: `ws://127.0.0.1:${port}/topics`,
    connections,
    publish: (topic, data) => {
      let delivered = 0;
      for (const connection of sockets.keys()) {
        if (!connection.topics.has(topic)) continue;
        send(connection, { topic, data });
        delivered++;
      }
      return delivered;
    },
    failTopic: (topic, error) => {
      let delivered = 0;
      for (const connection of sockets.keys()) {
        if (!connection.topics.delete(topic)) continue;
        send(connection, { type: 'error', topic, error });
        delivered++;
      }
      return delivered;
    },
    broadcast: (message) => {
      for (const connection of sockets.keys()) send(connection, message);
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const socket of raw) socket.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
