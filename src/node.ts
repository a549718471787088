/**
 * rxnova/node: everything in `rxnova`, plus the `ws` transport, and a
 * `connect()` that uses it by default.
 * @packageDocumentation
 * @module rxnova/node
 */
import { createConnect } from './client/connect';
import { wsTransport } from './transport/ws';

export * from './index';
export { wsTransport } from './transport/ws';
export type { WsTransportOptions, WsPerMessageDeflateOptions } from './transport/ws';

/**
 * Opens a WebSocket that stays connected across failures, on Node's `ws`
 * (`wsTransport()` unless `options.transport` says otherwise). Everything
 * else is as `connect` from `'rxnova'`.
 *
 * @example
 * ```ts
 * import { connect } from 'rxnova/node';
 *
 * const socket = connect('ws://127.0.0.1:8080', { headers: () => ({ authorization: `Bearer ${token()}` }) });
 * socket.messages$.subscribe(console.log);
 * ```
 */
export const connect = /* @__PURE__ */ createConnect((scheduler) => wsTransport({ scheduler }));
