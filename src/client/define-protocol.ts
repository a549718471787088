import { InvalidOptionsError } from '../errors';
import { ENGINE, EngineFactory } from './core';
import type { Protocol } from './protocol';
import { Engine } from './protocol-engine';

const createEngine: EngineFactory = (core) => new Engine(core);

/**
 * Makes a protocol adapter usable by `connect({ protocol })`: it brings the
 * protocol machinery (channels, correlated requests, auth) along, so a
 * socket without a protocol does not carry that code in its bundle.
 * `jsonRpc()` and `jsonTopics()` are already defined with it; wrap your own
 * adapter in it.
 *
 * @throws InvalidOptionsError when `adapter` is not an object, or has only one of `withId` and `idOf`.
 * @example
 * ```ts
 * import { connect, defineProtocol } from 'rxnova';
 *
 * interface Msg { op: string; ch?: string; data?: unknown }
 * const socket = connect<Msg, Msg>('wss://example.com/feed', {
 *   protocol: defineProtocol<Msg, Msg>({
 *     subscribe: (topic) => ({ op: 'sub', ch: topic }),
 *     unsubscribe: (topic) => ({ op: 'unsub', ch: topic }),
 *     topicOf: (message) => message.ch,
 *   }),
 * });
 * socket.channel('trades').subscribe((trade) => console.log(trade));
 * ```
 */
export function defineProtocol<In = unknown, Out = unknown>(adapter: Protocol<In, Out>): Protocol<In, Out> {
  if (typeof adapter !== 'object' || adapter === null) {
    throw new InvalidOptionsError(`defineProtocol() takes a protocol adapter object, got ${adapter === null ? 'null' : typeof adapter}`);
  }
  if ((adapter.withId === undefined) !== (adapter.idOf === undefined)) {
    throw new InvalidOptionsError('a protocol adapter must have both withId() and idOf() to correlate responses, or neither');
  }
  return Object.assign(Object.create(Object.getPrototypeOf(adapter) as object) as Protocol<In, Out>, adapter, { [ENGINE]: createEngine });
}

/** @internal Whether a protocol adapter was made with {@link defineProtocol}. */
export function isDefinedProtocol(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { [ENGINE]?: unknown })[ENGINE] === 'function';
}
