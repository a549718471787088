import { InvalidFrameError } from './errors';
import { describe } from './describe';

/** A text data frame. */
export interface TextFrame {
  /** A text frame. */
  readonly type: 'text';
  /** The text. */
  readonly data: string;
}

/** A binary data frame. Received binary data is always a `Uint8Array`, whatever the runtime. */
export interface BinaryFrame {
  /** A binary frame. */
  readonly type: 'binary';
  /** The bytes. */
  readonly data: Uint8Array;
}

/** A ping control frame; its payload is at most 125 bytes. */
export interface PingFrame {
  /** A ping. */
  readonly type: 'ping';
  /** An optional payload of at most 125 bytes. */
  readonly data?: Uint8Array;
}

/** A pong control frame; its payload is at most 125 bytes. */
export interface PongFrame {
  /** A pong. */
  readonly type: 'pong';
  /** An optional payload of at most 125 bytes. */
  readonly data?: Uint8Array;
}

/**
 * A close control frame. Sending one starts the closing handshake. `code` is
 * 1000, 1001-1003, 1007-1014 or 3000-4999; `reason` needs a `code` and is at
 * most 123 UTF-8 bytes.
 */
export interface CloseFrame {
  /** A close frame. */
  readonly type: 'close';
  /** The close code; none means "no status" (1005 on the other side). */
  readonly code?: number;
  /** The reason, at most 123 UTF-8 bytes, only with a code. */
  readonly reason?: string;
}

/** Every WebSocket frame rxnova sends or receives: WebsockexNova's `text | binary | ping | pong | close | close(code, reason)`. */
export type Frame = TextFrame | BinaryFrame | PingFrame | PongFrame | CloseFrame;

/** The `type` of a frame. */
export type FrameType = Frame['type'];

/** Largest payload of a control frame (RFC 6455, 5.5). */
export const MAX_CONTROL_PAYLOAD = 125;
/** Largest close reason: a control payload less the two bytes of the code. */
export const MAX_CLOSE_REASON = 123;

const encoder = /* @__PURE__ */ new TextEncoder();

function toBytes(data: Uint8Array | string | undefined): Uint8Array | undefined {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** A text frame. */
export function textFrame(data: string): TextFrame {
  return { type: 'text', data };
}

/** A binary frame. */
export function binaryFrame(data: Uint8Array): BinaryFrame {
  return { type: 'binary', data };
}

/** A ping frame; a string payload is UTF-8 encoded. */
export function pingFrame(data?: Uint8Array | string): PingFrame {
  const bytes = toBytes(data);
  return bytes === undefined ? { type: 'ping' } : { type: 'ping', data: bytes };
}

/** A pong frame; a string payload is UTF-8 encoded. */
export function pongFrame(data?: Uint8Array | string): PongFrame {
  const bytes = toBytes(data);
  return bytes === undefined ? { type: 'pong' } : { type: 'pong', data: bytes };
}

/** A close frame, validated: an invalid code or an over-long reason throws {@link InvalidFrameError}. */
export function closeFrame(code?: number, reason?: string): CloseFrame {
  const frame: CloseFrame =
    code === undefined ? { type: 'close' } : reason === undefined ? { type: 'close', code } : { type: 'close', code, reason };
  validateFrame({ type: 'close', code, reason });
  return frame;
}

/**
 * Whether `code` may be sent in a close frame: 1000, 1001-1003, 1007-1014 or
 * 3000-4999. (1004 is reserved; 1005, 1006 and 1015 are only ever reported,
 * never sent.)
 */
export function isValidCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    (code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
  );
}

/** The UTF-8 length of a string in bytes, without allocating. Lone surrogates count as 3 bytes (U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function checkControlPayload(type: string, data: unknown): void {
  if (data === undefined) return;
  if (!(data instanceof Uint8Array)) {
    throw new InvalidFrameError(`${type} payload must be a Uint8Array, got ${describe(data)}`);
  }
  if (data.byteLength > MAX_CONTROL_PAYLOAD) {
    throw new InvalidFrameError(`${type} payload is ${data.byteLength} bytes, at most ${MAX_CONTROL_PAYLOAD} allowed`);
  }
}

/**
 * Checks a frame before it is sent, and throws {@link InvalidFrameError}
 * saying what is wrong: an unknown type, data of the wrong type, a control
 * payload over 125 bytes, an invalid close code, a reason without a code or
 * over 123 UTF-8 bytes.
 */
export function validateFrame(frame: Frame): void {
  if (typeof frame !== 'object' || frame === null) {
    throw new InvalidFrameError(`expected a frame object, got ${describe(frame)}`);
  }
  switch (frame.type) {
    case 'text':
      if (typeof frame.data !== 'string') throw new InvalidFrameError(`text data must be a string, got ${describe(frame.data)}`);
      return;
    case 'binary':
      if (!(frame.data instanceof Uint8Array)) {
        throw new InvalidFrameError(`binary data must be a Uint8Array, got ${describe(frame.data)}`);
      }
      return;
    case 'ping':
    case 'pong':
      checkControlPayload(frame.type, frame.data);
      return;
    case 'close': {
      const { code, reason } = frame;
      if (code === undefined) {
        if (reason !== undefined && reason !== '') throw new InvalidFrameError('a close reason needs a close code');
        return;
      }
      if (!isValidCloseCode(code)) {
        throw new InvalidFrameError(`close code ${code} may not be sent: use 1000, 1001-1003, 1007-1014 or 3000-4999`);
      }
      if (reason !== undefined) {
        if (typeof reason !== 'string') throw new InvalidFrameError(`close reason must be a string, got ${describe(reason)}`);
        const length = utf8Length(reason);
        if (length > MAX_CLOSE_REASON) {
          throw new InvalidFrameError(`close reason is ${length} UTF-8 bytes, at most ${MAX_CLOSE_REASON} allowed`);
        }
      }
      return;
    }
    default:
      throw new InvalidFrameError(`unknown frame type ${JSON.stringify((frame as { type: unknown }).type)}`);
  }
}

/** The payload size of a frame in bytes (text counted as UTF-8). */
export function frameSize(frame: Frame): number {
  switch (frame.type) {
    case 'text':
      return utf8Length(frame.data);
    case 'binary':
      return frame.data.byteLength;
    case 'ping':
    case 'pong':
      return frame.data ? frame.data.byteLength : 0;
    case 'close':
      return frame.code === undefined ? 0 : 2 + (frame.reason ? utf8Length(frame.reason) : 0);
  }
}
