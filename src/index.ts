/**
 * rxnova: a reactive WebSocket client for RxJS. This is the platform-neutral
 * entry point (browsers, Deno, Bun, Node 22+); it depends on rxjs only. On
 * Node, import from `rxnova/node` to get the `ws` transport.
 * @packageDocumentation
 * @module rxnova
 */

// Vocabulary
export * from './errors';
export * from './frame';
export * from './close-codes';
export { MAX_DELAY } from './time';
export type { DurationRule } from './time';

// Transports
export * from './transport/transport';
export { normalizeUrl } from './transport/url';
export { webSocketTransport } from './transport/web-socket';
export type {
  WebSocketTransportOptions,
  WebSocketLike,
  WebSocketConstructorLike,
  MessageEventLike,
  CloseEventLike,
} from './transport/web-socket';

// Backoff strategies
export type { BackoffStrategy, RandomSource } from './backoff/backoff';
export { constantBackoff } from './backoff/constant-backoff';
export { linearBackoff } from './backoff/linear-backoff';
export type { LinearBackoffConfig } from './backoff/linear-backoff';
export { exponentialBackoff } from './backoff/exponential-backoff';
export type { ExponentialBackoffConfig, Jitter } from './backoff/exponential-backoff';
export { stepBackoff } from './backoff/step-backoff';
export { seededRandom } from './backoff/seeded-random';

// Operators
export { reconnect } from './operators/reconnect';
export type { ReconnectConfig, ReconnectAttempt } from './operators/reconnect';
export { online } from './triggers/online';
export type { TriggerEvent, TriggerTarget } from './triggers/online';
export { visible } from './triggers/visible';
export type { VisibilityTarget } from './triggers/visible';
export { heartbeat, createHeartbeat, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_TIMEOUT } from './operators/heartbeat';
export type { HeartbeatConfig, HeartbeatTimer, HeartbeatTimerConfig } from './operators/heartbeat';

// The client
export { connect } from './client/connect';
export type { ConnectOptions, HeartbeatOptions, BackpressureOptions, LazyOptions, PerAttempt } from './client/connect-options';
export type { Socket, SendOptions } from './client/socket';
export type * from './client/state';
export type * from './client/events';
export { json, text, binary, isCodec, encodeFrame, decodeFrame } from './client/codec';
export type { Codec, JsonCodecConfig } from './client/codec';
export { DEFAULT_OUTBOX_MAX_MESSAGES, DEFAULT_OUTBOX_MAX_BYTES } from './client/outbox';
export type { OutboxConfig, OverflowPolicy } from './client/outbox';
export { logTo, redactUrl } from './client/log-to';
export { isSecretName, redactValue, REDACTED, REDACTED_TOO_DEEP, REDACT_MAX_DEPTH } from './redact';
export type { Logger, LogLevel, LogToConfig } from './client/log-to';
export { metrics } from './client/metrics';
export type { SocketMetrics, MetricsConfig } from './client/metrics';

// Protocols
export type { Protocol } from './client/protocol';
export type { AuthOptions, AuthMessage } from './client/connect-options';
export type { AuthContext } from './client/connect-options';
export { defineProtocol } from './client/define-protocol';
export { tokenBucket } from './client/rate-limit';
export type { RateLimit, RateLimitOptions } from './client/rate-limit';
export type { RequestOptions, RequestDefaults, InFlightPolicy } from './client/requests';
export { jsonRpc } from './protocols/json-rpc';
export type { JsonRpcConfig, JsonRpcRequest, JsonRpcMessage, JsonRpcErrorObject } from './protocols/json-rpc';
export { jsonTopics } from './protocols/json-topics';
export type { JsonTopicsConfig, JsonTopicsMessage } from './protocols/json-topics';
