import type { Observable, SchedulerLike, Subject, Subscription } from 'rxjs';
import type { DropReason, OutboxEntry } from './outbox';
import type { ConnectionClosedError } from '../errors';
import type { Attempt } from './attempt';
import type { SocketConfig } from './config';
import type { LinkState } from './link-state';
import type { RequestOptions } from './requests';
import type { Session } from './session';
import type { Telemetry } from './telemetry';
import type { WriteQueue } from './write-queue';

/** @internal The units of one socket, as each of them sees the others. */
export interface SocketCore<In, Out> {
  readonly config: SocketConfig<In, Out>;
  readonly scheduler: SchedulerLike;
  readonly link: LinkState;
  readonly telemetry: Telemetry;
  readonly queue: WriteQueue<Out, In>;
  /** The subject behind `messages$`: the inbound path hands it what is not for the protocol engine. */
  readonly messages: Subject<In>;
  readonly session: Session<In, Out>;
  /** The protocol machinery (channels, requests, auth), present only when a protocol adapter brought it. */
  readonly engine: ProtocolEngine<In, Out> | undefined;
  /** A message left the outbox unwritten: its sender is told, and `events$` reports it. */
  reportDrop(entry: OutboxEntry<Out>, reason: DropReason): void;
}

/**
 * @internal The protocol machinery as the core calls it. It is made by the
 * adapter (`defineProtocol()`, `jsonRpc()`, `jsonTopics()`), so a socket
 * without a protocol does not carry its code.
 */
export interface ProtocolEngine<In, Out> {
  /** The connection opened: run the auth round (if `auth` is set) and call `ready()` on success; fail the attempt otherwise. */
  authenticate(attempt: Attempt<In, Out>, ready: () => void): void;
  /** The connection is ready: queue the live channels' subscribes, and the in-flight requests to send again. */
  onReady(): void;
  /** A decoded inbound message: `true` if it was a response, an auth answer or kept to its channels. May throw (the inbound unit reports it). */
  route(message: In): boolean;
  /** The connection ended with `error`: requests written to it fail or wait to be resent. */
  onConnectionLost(error: ConnectionClosedError): void;
  /** The socket ended: everything pending fails with `error`, or completes after `close()` (no error). */
  end(error: unknown): void;
  channel<T>(topic: string, params: unknown): Observable<T>;
  request<R>(message: Out, options: RequestOptions): Observable<R>;
}

/** @internal Makes a socket's protocol engine. */
export type EngineFactory = <In, Out>(core: SocketCore<In, Out>) => ProtocolEngine<In, Out>;

/** @internal Where a protocol adapter keeps its engine factory. */
export const ENGINE: unique symbol = Symbol('rxnova.engine');

/** @internal A timer or subscription owner of the attempt, for units that start work per connection. */
export type Owner = Subscription;
