/**
 * What a browser bundler gets for `rxnova/node` (the `browser` export
 * condition): `rxnova/node` runs on Node's `ws` package, which cannot work in
 * a browser, so this module throws as soon as it is imported, with an error
 * that names the fix. It has the exports of `rxnova/node` so that the bundle
 * builds and the error is the first thing the app sees.
 * @packageDocumentation
 */
import type * as nodeEntry from './node';

const WRONG_ENTRY =
  "rxnova: 'rxnova/node' is the Node.js entry point (it runs on the 'ws' package) and does not work in a browser: " +
  "import from 'rxnova' instead, whose connect() uses the browser's WebSocket.";

function wrongEntry(): never {
  throw new Error(WRONG_ENTRY);
}

export * from './index';
export type { WsTransportOptions, WsPerMessageDeflateOptions } from './transport/ws';
/** Not in a browser: import `connect` from `'rxnova'`. */
export const connect: typeof nodeEntry.connect = wrongEntry;
/** Not in a browser: use `webSocketTransport` from `'rxnova'`. */
export const wsTransport: typeof nodeEntry.wsTransport = wrongEntry;

wrongEntry();
