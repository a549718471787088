import { CodecError } from '../errors';
import type { Attempt } from './attempt';
import type { SocketCore } from './core';
import { DataFrame, sizeOf } from './write-queue';

/** The built-in codecs already throw `CodecError`; a user's codec (or adapter) may throw anything. */
function codecErrorOf(cause: unknown): CodecError {
  return cause instanceof CodecError ? cause : new CodecError('decode', cause);
}

/**
 * @internal The inbound path: decode a data frame, recognise the heartbeat's
 * pong, route to the protocol machinery (responses, auth answers, channels),
 * hand the rest to `messages$`. Every call into user code (codec, `isPong`,
 * protocol adapter) is guarded: a throw is reported on `events$` and the
 * message is handled like one that could not be decoded (skipped, or fatal
 * to the connection with `decodeErrors: 'fatal'`). Never an uncaught
 * exception.
 */
/** A data frame arrived on `attempt`. The per-message path. */
export function receive<In, Out>(core: SocketCore<In, Out>, frame: DataFrame, attempt: Attempt<In, Out>): void {
  const { config, telemetry, engine } = core;
  let message: In;
  try {
    message = config.codec.decode(frame.data);
  } catch (cause) {
    const error = codecErrorOf(cause);
    telemetry.emit({ type: 'decode-error', kind: frame.type, bytes: sizeOf(frame), error });
    if (config.decodeErrors === 'fatal') attempt.fail(error);
    return;
  }
  const isPong = config.heartbeat?.isPong;
  const heartbeat = attempt.heartbeat;
  if (isPong !== undefined && heartbeat !== undefined) {
    let pong: boolean;
    try {
      pong = isPong(message);
    } catch (error) {
      userCodeFailed(core, 'heartbeat.isPong', error, attempt);
      return;
    }
    if (pong) {
      attempt.ponged();
      return;
    }
  }
  // Counted like 'sent': every data message but heartbeat pongs, including responses and channel messages kept off messages$.
  // Stryker disable next-line ConditionalExpression: equivalent as `true` (the other way is killed), emit() drops an event nobody observes; the guard saves making it
  if (telemetry.observed) telemetry.emit({ type: 'received', kind: frame.type, bytes: sizeOf(frame) });
  if (engine !== undefined) {
    let routed: boolean;
    try {
      routed = engine.route(message);
    } catch (error) {
      userCodeFailed(core, 'protocol', error, attempt);
      return;
    }
    if (routed) return;
  }
  core.messages.next(message);
}

/** User code on the inbound path threw: reported, and handled like a decode error. */
export function userCodeFailed<In, Out>(core: SocketCore<In, Out>, source: string, error: unknown, attempt: Attempt<In, Out>): void {
  core.telemetry.userError(source, error);
  if (core.config.decodeErrors === 'fatal') attempt.fail(codecErrorOf(error));
}
