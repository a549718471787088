/**
 * How a server's wire format works: the one small interface a socket needs
 * for channels, requests, authentication and application-level pings. Every
 * part is optional; a plain socket needs none. Built-in adapters:
 * `jsonRpc()` and `jsonTopics()`.
 *
 * `In` is the decoded inbound message type and `Out` the outbound one (the
 * codec's types).
 */
export interface Protocol<In = unknown, Out = unknown> {
  /** A short name for logs and errors. */
  readonly name?: string;

  // ---- channels ----------------------------------------------------------------------------

  /**
   * The message that subscribes to a topic. Sent once per topic and params
   * when the first subscriber arrives, and again after every reconnect.
   * Without it, `channel()` only filters inbound messages by topic.
   */
  subscribe?(topic: string, params: unknown): Out;
  /** The message that unsubscribes from a topic; sent when the last subscriber leaves. */
  unsubscribe?(topic: string, params: unknown): Out;
  /** Which topic an inbound message belongs to, or `undefined` if it belongs to none. */
  topicOf?(message: In): string | undefined;
  /**
   * What a channel's subscribers receive for a message of its topic.
   * @default the whole message
   */
  channelData?(message: In): unknown;
  /**
   * A server error about a channel that is not correlated by id (e.g. `{ type: 'error', topic }`):
   * that channel's subscribers error with it.
   */
  channelError?(message: In): { readonly topic: string; readonly error: Error } | undefined;

  // ---- requests ----------------------------------------------------------------------------

  /**
   * Puts a correlation id on a request. With it (and `idOf`), `request()`
   * works, and subscribe and auth messages are sent as requests so that their
   * answers are matched to them.
   */
  withId?(message: Out, id: number): Out;
  /** The correlation id of a response, or `undefined` if the message is not a response. */
  idOf?(message: In): number | string | undefined;
  /**
   * Tells a success from an error response: the value a request emits, or
   * the error it fails with (typically a `RemoteError`).
   * @default success, with the whole message as the value
   */
  resultOf?(message: In): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error };

  // ---- authentication -----------------------------------------------------------------------

  /**
   * Reads the answer to the auth message: `undefined` if the message is not
   * one (used when the protocol has no ids), otherwise success (with the
   * credentials' lifetime in ms, if the server gives one) or failure.
   */
  authResult?(message: In): { readonly ok: true; readonly expiresIn?: number } | { readonly ok: false; readonly reason: string } | undefined;

  // ---- application-level heartbeat ----------------------------------------------------------

  /** An application-level ping message, used by the heartbeat when the transport cannot send ping frames. */
  ping?(): Out;
  /** Recognises the answer to `ping()`; it is kept out of `messages$`. */
  isPong?(message: In): boolean;
}
