import { expect } from 'chai';
import { binary, Codec, decodeFrame, encodeFrame, isCodec, json, text } from '../../src/client/codec';
import { CodecError } from '../../src/errors';
import { binaryFrame, textFrame } from '../../src/frame';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** `cause` as the error carries it (the ES2020 lib does not type `Error.cause`). */
const causeOf = (error: CodecError): unknown => (error as { cause?: unknown }).cause;

function codecError(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(CodecError);
    return error as CodecError;
  }
  throw new Error('expected a CodecError');
}

describe('codecs', () => {
  describe('json()', () => {
    it('should round-trip a message through a text frame', () => {
      const codec = json<{ a: number[]; b: string }, { a: number[]; b: string }>();
      const message = { a: [1, 2], b: 'é✓' };
      const frame = encodeFrame(codec, message);
      expect(frame).to.deep.equal({ type: 'text', data: '{"a":[1,2],"b":"é✓"}' });
      expect(decodeFrame(codec, frame)).to.deep.equal(message);
      expect(codec.name).to.equal('json');
    });

    it('should decode UTF-8 JSON from a binary frame', () => {
      expect(decodeFrame(json(), binaryFrame(utf8('{"x":"ü"}')))).to.deep.equal({ x: 'ü' });
    });

    it('should apply the reviver and the replacer', () => {
      const codec = json<{ at: Date }, { n: number; secret?: string }>({
        reviver: (key, value) => (key === 'at' ? new Date(value as string) : value),
        replacer: (key, value) => (key === 'secret' ? undefined : value),
      });
      expect(codec.encode({ n: 1, secret: 's' })).to.equal('{"n":1}');
      expect(codec.decode('{"at":"2020-01-02T00:00:00.000Z"}').at.getTime()).to.equal(Date.UTC(2020, 0, 2));
      expect(json({ replacer: ['a'] }).encode({ a: 1, b: 2 })).to.equal('{"a":1}');
    });

    it('should throw CodecError with the cause for a BigInt or a circular object', () => {
      const big = codecError(() => encodeFrame(json(), { n: BigInt(1) }));
      expect(big.direction).to.equal('encode');
      expect(causeOf(big)).to.be.instanceOf(TypeError);
      expect(big.message).to.match(/^rxnova: could not encode message: .*BigInt/);
      const circular: { self?: unknown } = {};
      circular.self = circular;
      const circ = codecError(() => encodeFrame(json(), circular));
      expect(causeOf(circ)).to.be.instanceOf(TypeError);
      expect(circ.message).to.match(/circular/i);
    });

    it('should throw CodecError for a message JSON cannot represent (undefined, a function)', () => {
      expect(codecError(() => encodeFrame(json(), undefined)).message).to.match(/json cannot encode a value of type undefined/);
      expect(causeOf(codecError(() => encodeFrame(json(), () => 1)))).to.be.instanceOf(TypeError);
    });

    it('should throw CodecError for invalid JSON and invalid UTF-8', () => {
      const bad = codecError(() => decodeFrame(json(), textFrame('{"a":')));
      expect(bad.direction).to.equal('decode');
      expect(causeOf(bad)).to.be.instanceOf(SyntaxError);
      expect(codecError(() => decodeFrame(json(), binaryFrame(new Uint8Array([0x7b, 0xff, 0x7d])))).direction).to.equal('decode');
    });
  });

  describe('text()', () => {
    it('should round-trip a string and decode binary frames as UTF-8', () => {
      const codec = text();
      expect(encodeFrame(codec, 'héllo')).to.deep.equal({ type: 'text', data: 'héllo' });
      expect(decodeFrame(codec, textFrame('héllo'))).to.equal('héllo');
      expect(decodeFrame(codec, binaryFrame(utf8('ok ✓')))).to.equal('ok ✓');
    });

    it('should refuse to encode anything but a string with a TypeError cause', () => {
      const error = codecError(() => encodeFrame(text(), 42 as unknown as string));
      expect(causeOf(error)).to.be.instanceOf(TypeError);
      expect(error.message).to.match(/text codec can only send strings, got number/);
    });

    it('should refuse invalid UTF-8 in a binary frame', () => {
      expect(codecError(() => decodeFrame(text(), binaryFrame(new Uint8Array([0xc3])))).direction).to.equal('decode');
    });
  });

  describe('binary()', () => {
    it('should send a Uint8Array as is, and an ArrayBuffer or a view without copying', () => {
      const codec = binary();
      const bytes = new Uint8Array([1, 2, 3]);
      const frame = encodeFrame(codec, bytes);
      expect(frame.type).to.equal('binary');
      expect(frame.data).to.equal(bytes);
      const buffer = new ArrayBuffer(4);
      const fromBuffer = codec.encode(buffer) as Uint8Array;
      expect([fromBuffer.buffer === buffer, fromBuffer.byteLength]).to.deep.equal([true, 4]);
      const view = new DataView(buffer, 1, 2);
      const fromView = codec.encode(view) as Uint8Array;
      expect([fromView.buffer === buffer, fromView.byteOffset, fromView.byteLength]).to.deep.equal([true, 1, 2]);
      const words = new Uint16Array([0x0102]);
      expect((codec.encode(words) as Uint8Array).byteLength).to.equal(2);
    });

    it('should decode binary frames as is and text frames to their UTF-8 bytes', () => {
      const bytes = new Uint8Array([9, 8]);
      expect(decodeFrame(binary(), binaryFrame(bytes))).to.equal(bytes);
      expect(Array.from(decodeFrame(binary(), textFrame('é')))).to.deep.equal([0xc3, 0xa9]);
    });

    it('should refuse to encode anything but bytes with a TypeError cause', () => {
      const error = codecError(() => encodeFrame(binary(), 'text' as unknown as Uint8Array));
      expect(causeOf(error)).to.be.instanceOf(TypeError);
      expect(error.message).to.match(/binary codec can only send a Uint8Array, ArrayBuffer or ArrayBufferView, got string/);
    });
  });

  describe('encodeFrame() and decodeFrame() with a custom codec', () => {
    const upper: Codec<string, string> = {
      name: 'upper',
      encode: (message) => {
        if (message === 'boom') throw new RangeError('no boom');
        return message.toUpperCase();
      },
      decode: (data) => {
        if (typeof data !== 'string') throw new Error('text only');
        return data.toLowerCase();
      },
    };

    it('should wrap what the codec throws in CodecError with the cause', () => {
      const encode = codecError(() => encodeFrame(upper, 'boom'));
      expect(encode.direction).to.equal('encode');
      expect(causeOf(encode)).to.be.instanceOf(RangeError);
      const decode = codecError(() => decodeFrame(upper, binaryFrame(new Uint8Array(1))));
      expect(decode.direction).to.equal('decode');
      expect((causeOf(decode) as Error).message).to.equal('text only');
    });

    it('should pass a CodecError thrown by a codec through unwrapped', () => {
      const original = new CodecError('decode', new Error('inner'));
      const codec: Codec<unknown, unknown> = { name: 'x', encode: () => '', decode: () => { throw original; } };
      expect(codecError(() => decodeFrame(codec, textFrame('')))).to.equal(original);
    });

    it('should reject an encode result that is neither a string nor a Uint8Array', () => {
      const codec = { name: 'odd', encode: () => 42, decode: () => 0 } as unknown as Codec<unknown, unknown>;
      expect(codecError(() => encodeFrame(codec, 1)).message).to.match(/codec "odd" encode\(\) returned number/);
    });
  });

  it('should share one frozen codec for text(), binary() and json() without options, and make a new json() for a reviver or a replacer', () => {
    expect(text()).to.equal(text());
    expect(binary()).to.equal(binary());
    expect(json()).to.equal(json({}));
    for (const codec of [text(), binary(), json()]) expect(Object.isFrozen(codec)).to.equal(true);
    const reviving = json({ reviver: (_key, value) => (value === 1 ? 'one' : value) });
    expect(reviving).to.not.equal(json());
    expect(reviving.decode('[1]')).to.deep.equal(['one']);
    expect(json().decode('[1]')).to.deep.equal([1]);
    expect(json({ replacer: ['a'] }).encode({ a: 1, b: 2 })).to.equal('{"a":1}');
    expect(json().encode({ a: 1, b: 2 })).to.equal('{"a":1,"b":2}');
  });

  it('should name each built-in codec, for logs and errors', () => {
    expect([json().name, text().name, binary().name]).to.deep.equal(['json', 'text', 'binary']);
  });

  it("should mark every encoding failure with direction 'encode'", () => {
    const odd = { name: 'odd', encode: () => 42, decode: () => 0 } as unknown as Codec<unknown, unknown>;
    const failures = [
      () => encodeFrame(json(), undefined),
      () => encodeFrame(text(), 42 as unknown as string),
      () => encodeFrame(binary(), 'text' as unknown as Uint8Array),
      () => encodeFrame(odd, 1),
    ];
    for (const failure of failures) expect(codecError(failure).direction).to.equal('encode');
  });

  it('should recognise codecs with isCodec', () => {
    expect([json(), text(), binary()].every(isCodec)).to.equal(true);
    const encode = () => '';
    const decode = () => 0;
    expect(isCodec({ encode, decode }), 'no name').to.equal(false);
    expect(isCodec({ name: 'x', decode }), 'no encode').to.equal(false);
    expect(isCodec(Object.assign(() => 0, { encode, decode })), 'a function').to.equal(false);
    expect(isCodec({ name: 'x', encode: () => '' })).to.equal(false);
    expect(isCodec(null)).to.equal(false);
    expect(isCodec('json')).to.equal(false);
  });
});
