import { InvalidOptionsError, RemoteError } from '../errors';
import type { Protocol } from '../client/protocol';
import { defineProtocol } from '../client/define-protocol';

/** A JSON-RPC 2.0 request or notification this side sends. `jsonrpc` and `id` are filled in by the adapter. */
export interface JsonRpcRequest {
  /** `'2.0'`; filled in by the adapter. */
  readonly jsonrpc?: '2.0';
  /** The correlation id; filled in by the adapter for requests. */
  readonly id?: number | string;
  /** The method to call. */
  readonly method: string;
  /** Its parameters. */
  readonly params?: unknown;
}

/** A JSON-RPC 2.0 error object. */
export interface JsonRpcErrorObject {
  /** The server's error code (`RemoteError.remoteCode`). */
  readonly code: number;
  /** What went wrong. */
  readonly message: string;
  /** Anything else the server says (`RemoteError.data`). */
  readonly data?: unknown;
}

/** A message the server sends: a response (with `id` and `result` or `error`) or a notification (`method`, `params`). */
export interface JsonRpcMessage {
  /** `'2.0'`. */
  readonly jsonrpc?: '2.0';
  /** The id of the request a response answers; absent in a notification. */
  readonly id?: number | string | null;
  /** A successful response's value. */
  readonly result?: unknown;
  /** An error response's error. */
  readonly error?: JsonRpcErrorObject;
  /** A notification's method (`'subscription'` for channel data by default). */
  readonly method?: string;
  /** A notification's parameters. */
  readonly params?: unknown;
}

/** Options of {@link jsonRpc}. The defaults fit Deribit's API. */
export interface JsonRpcConfig {
  /**
   * The method of a subscribe request; the channel goes in `params[channelsParam]` as a one-element list.
   * @default 'public/subscribe'
   */
  readonly subscribeMethod?: string;
  /**
   * The method of an unsubscribe request.
   * @default 'public/unsubscribe'
   */
  readonly unsubscribeMethod?: string;
  /**
   * The params field holding the list of channels in (un)subscribe requests.
   * @default 'channels'
   */
  readonly channelsParam?: string;
  /**
   * The method of the server's channel notifications.
   * @default 'subscription'
   */
  readonly notificationMethod?: string;
  /**
   * The params field of a notification naming its channel: the field that routes it.
   * @default 'channel'
   */
  readonly topicField?: string;
  /**
   * The params field of a notification holding what channel subscribers receive.
   * @default 'data'
   */
  readonly dataField?: string;
  /**
   * The result field of the auth response giving the token's lifetime in seconds.
   * @default 'expires_in'
   */
  readonly expiresInField?: string;
  /**
   * A method to call as an application-level ping (e.g. Deribit's `'public/test'`), used by the heartbeat
   * when the transport cannot send ping frames.
   * @default undefined (no application ping)
   */
  readonly pingMethod?: string;
}

/** The id of application-level pings, so their answers are recognised as pongs. */
const PING_ID = 'rxnova-ping';

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function checkName(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new InvalidOptionsError(`jsonRpc: ${option} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * A protocol adapter for JSON-RPC 2.0: requests get numeric ids, responses
 * are matched by id, error objects become `RemoteError` (code, message,
 * data), and server notifications are routed to channels by a configurable
 * field. The defaults are Deribit's: subscribe with
 * `public/subscribe { channels: [topic] }`, notifications
 * `{ method: 'subscription', params: { channel, data } }`.
 *
 * @example
 * ```ts
 * const socket = connect<JsonRpcMessage, JsonRpcRequest>('wss://test.deribit.com/ws/api/v2', {
 *   protocol: jsonRpc({ pingMethod: 'public/test' }),
 *   auth: () => ({ method: 'public/auth', params: { grant_type: 'client_credentials', client_id, client_secret } }),
 * });
 * socket.channel<Ticker>('ticker.BTC-PERPETUAL.100ms').subscribe(render);
 * socket.request({ method: 'public/get_time' }).subscribe((time) => console.log(time));
 * ```
 */
export function jsonRpc(config: JsonRpcConfig = {}): Protocol<JsonRpcMessage, JsonRpcRequest> {
  const {
    subscribeMethod = 'public/subscribe',
    unsubscribeMethod = 'public/unsubscribe',
    channelsParam = 'channels',
    notificationMethod = 'subscription',
    topicField = 'channel',
    dataField = 'data',
    expiresInField = 'expires_in',
    pingMethod,
  } = config;
  for (const [option, value] of Object.entries({ subscribeMethod, unsubscribeMethod, channelsParam, notificationMethod, topicField, dataField, expiresInField })) {
    checkName(option, value);
  }
  if (pingMethod !== undefined) checkName('pingMethod', pingMethod);

  const channelRequest = (method: string, topic: string, params: unknown): JsonRpcRequest => ({
    jsonrpc: '2.0',
    method,
    params: { ...(typeof params === 'object' && params !== null ? params : {}), [channelsParam]: [topic] },
  });

  const protocol: Protocol<JsonRpcMessage, JsonRpcRequest> = {
    name: 'json-rpc',
    subscribe: (topic, params) => channelRequest(subscribeMethod, topic, params),
    unsubscribe: (topic, params) => channelRequest(unsubscribeMethod, topic, params),
    topicOf: (message) => {
      if (message.method !== notificationMethod) return undefined;
      const topic = field(message.params, topicField);
      return typeof topic === 'string' ? topic : undefined;
    },
    channelData: (message) => field(message.params, dataField),
    withId: (message, id) => ({ ...message, jsonrpc: '2.0', id }),
    idOf: (message) => {
      const id = message.id;
      return (typeof id === 'number' || typeof id === 'string') && ('result' in message || 'error' in message) ? id : undefined;
    },
    resultOf: (message) => {
      const error = message.error;
      if (error !== undefined && error !== null) {
        return { ok: false, error: new RemoteError(error.code, String(error.message), error.data) };
      }
      return { ok: true, value: message.result };
    },
    authResult: (message) => {
      if (message.error !== undefined && message.error !== null) return { ok: false, reason: String(message.error.message) };
      if (!('result' in message)) return undefined;
      const seconds = field(message.result, expiresInField);
      return typeof seconds === 'number' && Number.isFinite(seconds) ? { ok: true, expiresIn: seconds * 1000 } : { ok: true };
    },
  };
  if (pingMethod !== undefined) {
    return defineProtocol({
      ...protocol,
      ping: () => ({ jsonrpc: '2.0', id: PING_ID, method: pingMethod }),
      isPong: (message) => message.id === PING_ID,
    });
  }
  return defineProtocol(protocol);
}
