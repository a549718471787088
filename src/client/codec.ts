import { CodecError } from '../errors';
import { describe } from '../describe';
import type { BinaryFrame, TextFrame } from '../frame';

/**
 * Turns outbound messages into frame payloads and inbound payloads into
 * messages. The frame type follows from `encode`'s result: a string is sent
 * as a text frame, a `Uint8Array` as a binary frame.
 *
 * `encode` and `decode` may throw; the client wraps what they throw in
 * {@link CodecError} (the built-in codecs throw `CodecError` themselves).
 */
export interface Codec<In, Out> {
  /** A short name for logs and errors, e.g. `'json'`. */
  readonly name: string;
  /** The payload of the frame that carries `message`. */
  encode(message: Out): string | Uint8Array;
  /** The message a received text (string) or binary (`Uint8Array`) payload carries. */
  decode(data: string | Uint8Array): In;
}

/** Options of the {@link json} codec. */
export interface JsonCodecConfig {
  /**
   * Passed to `JSON.parse` when decoding.
   * @default undefined
   */
  readonly reviver?: (this: unknown, key: string, value: unknown) => unknown;
  /**
   * Passed to `JSON.stringify` when encoding: a function, or the list of property names to keep.
   * @default undefined
   */
  readonly replacer?: ((this: unknown, key: string, value: unknown) => unknown) | readonly (string | number)[];
}

const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

function utf8Decode(direction: 'decode', data: Uint8Array): string {
  try {
    return decoder.decode(data);
  } catch (error) {
    throw new CodecError(direction, error);
  }
}

/**
 * JSON messages in text frames. Decoding also accepts binary frames holding
 * UTF-8 JSON. Encoding a value JSON cannot represent (a `BigInt`, a circular
 * object, a function, `undefined`) throws {@link CodecError}, as does decoding
 * invalid JSON or invalid UTF-8. Without a `reviver` or `replacer` every call
 * returns the same frozen codec object: a codec holds no state, so a thousand
 * sockets share one.
 *
 * ```text
 * send     ──{a:1}───────────   receive  ──'{"b":2}'──
 * frames   ──'{"a":1}'───────   messages ──{b:2}──────
 * ```
 *
 * @example
 * ```ts
 * const socket = connect<ServerMessage, ClientMessage>('wss://example.com', { codec: json() });
 * ```
 */
export function json<In = unknown, Out = unknown>(options: JsonCodecConfig = {}): Codec<In, Out> {
  const { reviver, replacer } = options;
  // Without a reviver or replacer the codec holds no state: every such json() is one shared object.
  if (reviver === undefined && replacer === undefined) return (plainJson ??= jsonCodec()) as Codec<In, Out>;
  return jsonCodec(reviver, replacer);
}

let plainJson: Codec<unknown, unknown> | undefined;

function jsonCodec<In, Out>(reviver?: JsonCodecConfig['reviver'], replacer?: JsonCodecConfig['replacer']): Codec<In, Out> {
  // JSON.stringify has one overload for a function and one for a list.
  const stringify: (message: Out) => string | undefined =
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: JSON.stringify takes a function, a list or undefined alike at run time
    typeof replacer === 'function'
      ? (message) => JSON.stringify(message, replacer)
      : replacer !== undefined
        ? (message) => JSON.stringify(message, replacer as (string | number)[])
        : (message) => JSON.stringify(message);
  return Object.freeze({
    name: 'json',
    encode(message: Out): string {
      let text: string | undefined;
      try {
        text = stringify(message);
      } catch (error) {
        throw new CodecError('encode', error);
      }
      if (text === undefined) {
        throw new CodecError('encode', new TypeError(`json cannot encode a value of type ${describe(message)}`));
      }
      return text;
    },
    decode(data: string | Uint8Array): In {
      const text = typeof data === 'string' ? data : utf8Decode('decode', data);
      try {
        return JSON.parse(text, reviver) as In;
      } catch (error) {
        throw new CodecError('decode', error);
      }
    },
  });
}

/**
 * Plain strings in text frames. Decoding a binary frame decodes its bytes as
 * UTF-8 (invalid UTF-8 throws {@link CodecError}); encoding anything but a
 * string throws {@link CodecError} with a `TypeError` cause. Every call returns
 * the same frozen codec object.
 *
 * ```text
 * send     ──'hi'──   receive  ──'yo'──[0x6f 0x6b]──
 * frames   ──'hi'──   messages ──'yo'──'ok'────────
 * ```
 *
 * @example
 * ```ts
 * const socket = connect<string, string>('wss://echo.example.com', { codec: text() });
 * socket.send('hello');
 * ```
 */
export function text(): Codec<string, string> {
  return TEXT;
}

/** The one text codec: it holds no state, so every `text()` is this object (no allocation per socket). */
const TEXT: Codec<string, string> = /* @__PURE__ */ Object.freeze({
  name: 'text',
  encode(message: string): string {
    if (typeof message !== 'string') {
      throw new CodecError('encode', new TypeError(`text codec can only send strings, got ${describe(message)}`));
    }
    return message;
  },
  decode(data: string | Uint8Array): string {
    return typeof data === 'string' ? data : utf8Decode('decode', data);
  },
});

/**
 * Raw bytes in binary frames. Sends a `Uint8Array`, an `ArrayBuffer` or any
 * `ArrayBufferView` (as a view of the same memory, not a copy); anything else
 * throws {@link CodecError} with a `TypeError` cause. A received text frame is
 * decoded to its UTF-8 bytes. Every call returns the same frozen codec object.
 *
 * ```text
 * send     ──[1 2 3]──   receive  ──[4 5]──'ok'──────────
 * frames   ──[1 2 3]──   messages ──[4 5]──[0x6f 0x6b]───
 * ```
 *
 * @example
 * ```ts
 * const socket = connect<Uint8Array, Uint8Array>('wss://example.com/bin', { codec: binary() });
 * socket.send(new Uint8Array([1, 2, 3]));
 * ```
 */
export function binary(): Codec<Uint8Array, Uint8Array | ArrayBuffer | ArrayBufferView> {
  return BINARY;
}

/** The one binary codec: it holds no state, so every `binary()` is this object. */
const BINARY: Codec<Uint8Array, Uint8Array | ArrayBuffer | ArrayBufferView> = /* @__PURE__ */ Object.freeze({
  name: 'binary',
  encode(message: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
    if (message instanceof Uint8Array) return message;
    if (message instanceof ArrayBuffer) return new Uint8Array(message);
    if (ArrayBuffer.isView(message)) return new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
    throw new CodecError(
      'encode',
      new TypeError(`binary codec can only send a Uint8Array, ArrayBuffer or ArrayBufferView, got ${describe(message)}`),
    );
  },
  decode(data: string | Uint8Array): Uint8Array {
    return typeof data === 'string' ? encoder.encode(data) : data;
  },
});

/** Whether a value is a {@link Codec}: an object with a string `name` and `encode` and `decode` functions. */
export function isCodec(value: unknown): value is Codec<unknown, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Codec<unknown, unknown>).name === 'string' &&
    typeof (value as Codec<unknown, unknown>).encode === 'function' &&
    typeof (value as Codec<unknown, unknown>).decode === 'function'
  );
}

/**
 * Encodes a message into its frame: text for a string payload, binary for a
 * `Uint8Array`. Whatever the codec throws, and a payload of any other type,
 * becomes a {@link CodecError} (`direction` `'encode'`); a `CodecError` the
 * codec threw itself passes unchanged. Allocates one frame object.
 */
export function encodeFrame<Out>(codec: Codec<unknown, Out>, message: Out): TextFrame | BinaryFrame {
  let data: string | Uint8Array;
  try {
    data = codec.encode(message);
  } catch (error) {
    throw error instanceof CodecError ? error : new CodecError('encode', error);
  }
  if (typeof data === 'string') return { type: 'text', data };
  if (data instanceof Uint8Array) return { type: 'binary', data };
  throw new CodecError(
    'encode',
    new TypeError(`codec "${codec.name}" encode() returned ${describe(data)}; expected a string or a Uint8Array`),
  );
}

/**
 * Decodes a received data frame with a codec. Whatever the codec throws
 * becomes a {@link CodecError} (`direction` `'decode'`); a `CodecError` the
 * codec threw itself passes unchanged.
 */
export function decodeFrame<In>(codec: Codec<In, unknown>, frame: TextFrame | BinaryFrame): In {
  try {
    return codec.decode(frame.data);
  } catch (error) {
    throw error instanceof CodecError ? error : new CodecError('decode', error);
  }
}
