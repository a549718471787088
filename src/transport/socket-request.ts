/**
 * A transport request checked before any network use, with the transport's
 * defaults applied.
 *
 * Not exported from any entry point.
 * (Internal: not exported from any entry point; declared for the testing entry.)
 * @packageDocumentation
 */
import type { SchedulerLike } from 'rxjs';
import { InvalidOptionsError } from '../errors';
import { checkScheduler } from '../invalid';
import { checkDuration } from '../time';
import type { TransportRequest } from './transport';
import { normalizeUrl } from './url';

/** Ten seconds: how long an opening handshake may take unless configured otherwise. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;
/** A request after validation, with the transport's defaults applied. */
export interface ResolvedRequest {
  /** The normalised URL (the caller's own string when it was already normal). */
  readonly url: string;
  /** A private copy of the subprotocols (native APIs want `string[]`); one shared empty array when there are none. */
  readonly protocols: string[];
  /** The custom upgrade headers, or `undefined` when there are none. */
  readonly headers: Record<string, string> | undefined;
  /** Milliseconds; 0 disables the timeout. */
  readonly handshakeTimeout: number;
  /** The scheduler of the connection's timers: the request's, else the transport's. */
  readonly scheduler: SchedulerLike;
}


/** The subprotocols of every request that offers none: one frozen array, not one per connection. */
const NO_PROTOCOLS: string[] = [];
Object.freeze(NO_PROTOCOLS);

// RFC 7230 token: subprotocol names and header field names.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Header values: no CR, LF or NUL (they would split or end the request).
const BAD_HEADER_VALUE = /[\r\n\0]/;

/**
 * Validates a {@link TransportRequest} before any network use: the URL
 * (`InvalidUrlError`), the subprotocols, headers and handshake timeout
 * (`InvalidOptionsError`), the scheduler (`InvalidOptionsError`).
 * (Internal: not exported from any entry point; declared for the testing entry.)
 */
export function resolveRequest(request: TransportRequest, defaultHandshakeTimeout: number, defaultScheduler: SchedulerLike): ResolvedRequest {
  return resolveRequestWith(request, defaultHandshakeTimeout, defaultScheduler, checkHeaders);
}

/**
 * {@link resolveRequest} with the transport's own rule for headers (a transport
 * that cannot send them refuses them, and does not carry the header checks).
 * (Internal: not exported from any entry point.)
 */
export function resolveRequestWith(
  request: TransportRequest,
  defaultHandshakeTimeout: number,
  defaultScheduler: SchedulerLike,
  headersOf: (headers: unknown) => Record<string, string> | undefined,
): ResolvedRequest {
  if (typeof request !== 'object' || request === null) {
    throw new InvalidOptionsError(`open() needs a request object such as { url: 'wss://example.com/socket' }, got ${String(request)}`);
  }
  const given = request.url;
  const normalized = normalizeUrl(given);
  // Keep the caller's string when it is already normal: one string fewer per connection.
  const url = normalized === given ? given : normalized;
  const { protocols = [], headers, handshakeTimeout = defaultHandshakeTimeout, scheduler } = request;
  if (!Array.isArray(protocols)) {
    throw new InvalidOptionsError(`protocols must be an array of subprotocol names, got ${typeof protocols}`);
  }
  const seen = new Set<string>();
  for (const protocol of protocols as readonly unknown[]) {
    if (typeof protocol !== 'string' || !TOKEN.test(protocol)) {
      throw new InvalidOptionsError(`protocols: ${JSON.stringify(protocol)} is not a valid subprotocol name (an HTTP token such as "graphql-ws")`);
    }
    if (seen.has(protocol)) throw new InvalidOptionsError(`protocols: "${protocol}" is offered twice`);
    seen.add(protocol);
  }
  return {
    url,
    protocols: protocols.length === 0 ? NO_PROTOCOLS : [...protocols],
    headers: headers === undefined ? undefined : headersOf(headers),
    handshakeTimeout: checkHandshakeTimeout(handshakeTimeout, 'handshakeTimeout'),
    scheduler: scheduler === undefined ? defaultScheduler : checkScheduler('scheduler', scheduler),
  };
}

/** Checks upgrade headers: names are HTTP tokens, values strings without CR, LF or NUL; a copy, or `undefined` when there are none. */
function checkHeaders(headers: unknown): Record<string, string> | undefined {
  if (typeof headers !== 'object' || headers === null) {
    throw new InvalidOptionsError(`headers must be an object of header names to string values, got ${String(headers)}`);
  }
  let copy: Record<string, string> | undefined;
  for (const name of Object.keys(headers)) {
    const value: unknown = (headers as Record<string, unknown>)[name];
    if (!TOKEN.test(name)) throw new InvalidOptionsError(`headers: ${JSON.stringify(name)} is not a valid HTTP header name`);
    if (typeof value !== 'string' || BAD_HEADER_VALUE.test(value)) {
      throw new InvalidOptionsError(`headers: the value of "${name}" must be a string without CR, LF or NUL`);
    }
    (copy ??= {})[name] = value;
  }
  return copy;
}

/** Checks a timeout option: a number of milliseconds, 0 (disabled) to `MAX_DELAY`. */
export function checkHandshakeTimeout(value: unknown, name: string): number {
  return checkDuration(`${name} (0 disables it)`, value, { zero: true });
}

