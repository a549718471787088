import { InvalidOptionsError, RemoteError } from '../errors';
import type { Protocol } from '../client/protocol';
import { defineProtocol } from '../client/define-protocol';

/**
 * A message of the common topic protocol. This side sends
 * `{ type: 'subscribe', topic, params? }`, `{ type: 'unsubscribe', topic }`
 * and requests with an `id`; the server pushes `{ topic, data }`, answers
 * requests with `{ id, data }` or `{ id, error }`, and may report
 * `{ type: 'error', topic, error }` for a channel.
 */
export interface JsonTopicsMessage {
  /** The message type (default field `type`): `'subscribe'`, `'unsubscribe'`, `'error'`, `'ping'`, `'pong'`, or the application's own. */
  readonly type?: string;
  /** The channel a push or a subscribe belongs to (default field `topic`). */
  readonly topic?: string;
  /** The correlation id of a request and its response (default field `id`). */
  readonly id?: number | string;
  /** A push's or a response's payload (default field `data`). */
  readonly data?: unknown;
  /** A subscribe message's params. */
  readonly params?: unknown;
  /** An error response's or a channel error's error (default field `error`). */
  readonly error?: unknown;
  readonly [field: string]: unknown;
}

/** Options of {@link jsonTopics}. */
export interface JsonTopicsConfig {
  /**
   * The field naming a message's kind (`'subscribe'`, `'unsubscribe'`, `'error'`, `'ping'`, `'pong'`).
   * @default 'type'
   */
  readonly typeField?: string;
  /**
   * The field naming the topic.
   * @default 'topic'
   */
  readonly topicField?: string;
  /**
   * The field holding a push's payload (what channel subscribers receive) and a response's value.
   * @default 'data'
   */
  readonly dataField?: string;
  /**
   * The correlation id field of requests and responses.
   * @default 'id'
   */
  readonly idField?: string;
  /**
   * The field of an error (a string, or `{ code, message, data }`).
   * @default 'error'
   */
  readonly errorField?: string;
  /**
   * The application-level ping message's type; its answer has the type `'pong'`. `false` for none.
   * @default 'ping'
   */
  readonly pingType?: string | false;
}

function remoteError(error: unknown): RemoteError {
  if (typeof error === 'object' && error !== null) {
    const { code, message, data } = error as { code?: unknown; message?: unknown; data?: unknown };
    return new RemoteError(typeof code === 'number' || typeof code === 'string' ? code : 'error', String(message ?? 'error'), data);
  }
  return new RemoteError('error', String(error));
}

/**
 * A protocol adapter for the common `{ type: 'subscribe', topic }` /
 * `{ topic, data }` shape, with `{ id }` request correlation and
 * `{ type: 'ping' }` / `{ type: 'pong' }` application pings. Field names are
 * configurable.
 *
 * @example
 * ```ts
 * const socket = connect<JsonTopicsMessage, JsonTopicsMessage>(url, { protocol: jsonTopics() });
 * socket.channel<Price>('prices', { symbol: 'BTC' }).subscribe(render);
 * socket.request({ type: 'get', what: 'balance' }).subscribe(console.log);
 * ```
 */
export function jsonTopics(config: JsonTopicsConfig = {}): Protocol<JsonTopicsMessage, JsonTopicsMessage> {
  const { typeField = 'type', topicField = 'topic', dataField = 'data', idField = 'id', errorField = 'error', pingType = 'ping' } = config;
  for (const [option, value] of Object.entries({ typeField, topicField, dataField, idField, errorField })) {
    if (typeof value !== 'string' || value === '') throw new InvalidOptionsError(`jsonTopics: ${option} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  if (pingType !== false && (typeof pingType !== 'string' || pingType === '')) {
    throw new InvalidOptionsError(`jsonTopics: pingType must be a non-empty string or false, got ${JSON.stringify(pingType)}`);
  }
  const idOf = (message: JsonTopicsMessage): number | string | undefined => {
    const id = message[idField];
    return typeof id === 'number' || typeof id === 'string' ? id : undefined;
  };
  const protocol: Protocol<JsonTopicsMessage, JsonTopicsMessage> = {
    name: 'json-topics',
    subscribe: (topic, params) => (params === undefined ? { [typeField]: 'subscribe', [topicField]: topic } : { [typeField]: 'subscribe', [topicField]: topic, params }),
    unsubscribe: (topic, params) => (params === undefined ? { [typeField]: 'unsubscribe', [topicField]: topic } : { [typeField]: 'unsubscribe', [topicField]: topic, params }),
    topicOf: (message) => {
      const topic = message[topicField];
      return typeof topic === 'string' && idOf(message) === undefined && message[typeField] !== 'error' ? topic : undefined;
    },
    channelData: (message) => message[dataField],
    channelError: (message) => {
      const topic = message[topicField];
      if (message[typeField] !== 'error' || typeof topic !== 'string' || idOf(message) !== undefined) return undefined;
      return { topic, error: remoteError(message[errorField]) };
    },
    withId: (message, id) => ({ ...message, [idField]: id }),
    idOf,
    resultOf: (message) => {
      const error = message[errorField];
      return error !== undefined && error !== null ? { ok: false, error: remoteError(error) } : { ok: true, value: message[dataField] };
    },
    authResult: (message) => {
      const error = message[errorField];
      if (error !== undefined && error !== null) return { ok: false, reason: remoteError(error).message };
      const data = message[dataField];
      const seconds = typeof data === 'object' && data !== null ? (data as { expires_in?: unknown }).expires_in : undefined;
      return typeof seconds === 'number' && Number.isFinite(seconds) ? { ok: true, expiresIn: seconds * 1000 } : { ok: true };
    },
  };
  if (pingType === false) return defineProtocol(protocol);
  return defineProtocol({ ...protocol, ping: () => ({ [typeField]: pingType }), isPong: (message) => message[typeField] === 'pong' });
}
