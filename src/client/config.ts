import type { SchedulerLike } from 'rxjs';
import type { RandomSource } from '../backoff/backoff';
import type { ResolvedReconnectConfig } from '../operators/reconnect';
import type { Transport } from '../transport/transport';
import type { Codec } from './codec';
import type { AuthMessage, AuthOptions, PerAttempt } from './connect-options';
import type { OutboxConfig } from './outbox';
import type { Protocol } from './protocol';
import type { Limiter } from './rate-limit';
import type { InFlightPolicy } from './requests';

/** @internal The normalised heartbeat option. */
export interface ResolvedHeartbeat<In, Out> {
  readonly interval: number;
  readonly timeout: number;
  readonly stallTimeout: number;
  readonly ping: Out | (() => Out) | undefined;
  readonly isPong: ((message: In) => boolean) | undefined;
}

/** @internal The normalised options the socket runs with: `connect()` checks and defaults everything once. */
export interface SocketConfig<In, Out> {
  readonly url: PerAttempt<string>;
  readonly transport: Transport;
  readonly protocols: PerAttempt<string | readonly string[]> | undefined;
  readonly headers: PerAttempt<Readonly<Record<string, string>>> | undefined;
  readonly codec: Codec<In, Out>;
  readonly decodeErrors: 'skip' | 'fatal';
  readonly reconnect: ResolvedReconnectConfig | false;
  readonly heartbeat: ResolvedHeartbeat<In, Out> | undefined;
  readonly connectTimeout: number;
  readonly closeTimeout: number;
  readonly outbox: Required<OutboxConfig>;
  readonly highWaterMark: number;
  readonly pollInterval: number;
  readonly lazy: boolean;
  readonly lazyCloseDelay: number;
  readonly scheduler: SchedulerLike;
  readonly random: RandomSource;
  readonly protocol: Protocol<In, Out> | undefined;
  /** As given: the protocol engine checks it (`resolveAuth()`), so sockets without a protocol do not carry that code. */
  readonly auth: AuthMessage<Out> | AuthOptions<Out> | undefined;
  readonly limiter: Limiter<Out> | undefined;
  readonly requestTimeout: number;
  readonly inFlight: InFlightPolicy;
  readonly messagesIncludeChannels: boolean;
}
