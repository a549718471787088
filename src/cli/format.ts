/**
 * What `rxnova` prints: messages for stdout, states for stderr, and the
 * parsing of a `--rpc` line. Pure functions of their input.
 * @packageDocumentation
 */
import { RemoteError } from '../errors';
import type { SocketState } from '../client/state';
import { redactUrl } from '../redact';

/** A message as stdout shows it: JSON pretty-printed when it parses (one line with `raw`), anything else as it is. */
export function formatMessage(message: unknown, raw: boolean): string {
  if (typeof message === 'string') {
    if (raw) return message;
    const value = parseJson(message);
    return value === undefined ? message : JSON.stringify(value.json, null, 2);
  }
  if (message instanceof Uint8Array) return Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('utf8');
  return JSON.stringify(message, null, raw ? undefined : 2) ?? String(message);
}

/** `{ json }` when `text` is JSON, `undefined` otherwise (so `null` and `false` are JSON too). */
export function parseJson(text: string): { json: unknown } | undefined {
  try {
    return { json: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** A state as stderr shows it, with secrets redacted from URLs. */
export function formatState(state: SocketState): string {
  switch (state.status) {
    case 'connecting':
      return `connecting to ${redactUrl(state.url)}${state.attempt === 0 ? '' : ` (attempt ${state.attempt})`}`;
    case 'open':
      return `open ${redactUrl(state.url)}${state.protocol ? ` (protocol ${state.protocol})` : ''}`;
    case 'reconnecting':
      return `reconnecting in ${state.delay} ms (attempt ${state.attempt}): ${errorText(state.error)}`;
    case 'closing':
      return `closing with ${state.code}${state.reason ? ` "${state.reason}"` : ''}`;
    case 'closed':
      if (state.gaveUp) return `gave up: ${errorText(state.error)}`;
      return `closed${state.code === undefined ? '' : ` with ${state.code}`}${state.reason ? ` "${state.reason}"` : ''}`;
  }
}

/** An error's message, for a line of stderr. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A JSON-RPC request parsed from a `--rpc` line. */
export interface RpcLine {
  readonly method: string;
  /** The params, when the line has them: a JSON array or object. */
  readonly params?: unknown;
}

/**
 * Parses a `--rpc` line: `method [json-params]`, the method name, then
 * optionally whitespace and the params as one JSON array or object
 * (`sum [1, 2]`, `greet {"name": "Ann"}`, `public/get_time`).
 * @throws Error with a message for stderr when the line is not of that form.
 */
export function parseRpcLine(line: string): RpcLine {
  // `s`: the params may hold U+2028 or U+2029 (valid in JSON strings), which `.` would not match otherwise.
  const match = /^(\S+)(?:\s+(.*))?$/s.exec(line.trim());
  if (match === null) throw new Error('an --rpc line is `method [json-params]`, got an empty line');
  const [, method, rest] = match;
  if (rest === undefined || rest.trim() === '') return { method: method! };
  const params = parseJson(rest);
  if (params === undefined || typeof params.json !== 'object' || params.json === null) {
    throw new Error(`the params of ${method} must be a JSON array or object, got ${rest}`);
  }
  return { method: method!, params: params.json };
}

/** A response printed against its request: `{ method, params?, result }` or `{ method, params?, error }`. */
export function formatRpcOutcome(request: RpcLine, outcome: { result: unknown } | { error: unknown }, raw: boolean): string {
  const body = 'result' in outcome ? { result: outcome.result } : { error: rpcError(outcome.error) };
  return JSON.stringify({ ...request, ...body }, null, raw ? undefined : 2);
}

function rpcError(error: unknown): Record<string, unknown> {
  if (error instanceof RemoteError) return { code: error.remoteCode, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) };
  return { message: errorText(error) };
}
