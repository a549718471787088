/**
 * Frames as a user builds and sends them: the factories, the checks a frame passes before it is written (RFC 6455
 * limits on control payloads, close codes and reasons), the UTF-8 byte count those limits are measured in, and the
 * payload size the outbox counts.
 */
import { expect } from 'chai';
import { InvalidFrameError } from '../src/errors';
import { errorMessage } from './support/invalid-options';
import {
  Frame,
  MAX_CLOSE_REASON,
  MAX_CONTROL_PAYLOAD,
  binaryFrame,
  closeFrame,
  frameSize,
  isValidCloseCode,
  pingFrame,
  pongFrame,
  textFrame,
  utf8Length,
  validateFrame,
} from '../src/frame';

/** The message of the InvalidFrameError that `fn` throws (fails if it throws anything else, or nothing). */
const invalidFrameMessage = (fn: () => unknown): string => errorMessage(InvalidFrameError, fn);

/** Checks a value that is not a well-typed frame, as plain JavaScript callers can pass one. */
const validateLoose = (frame: unknown): void => validateFrame(frame as Frame);

describe('frames', () => {
  describe('the factories', () => {
    it('should build text and binary frames that carry their data as given', () => {
      const bytes = new Uint8Array([1, 2]);
      expect(textFrame('hi')).to.deep.equal({ type: 'text', data: 'hi' });
      expect(binaryFrame(bytes).data).to.equal(bytes);
      expect(binaryFrame(bytes).type).to.equal('binary');
    });

    it('should build a ping or pong without a data field when no payload is given', () => {
      expect(pingFrame()).to.deep.equal({ type: 'ping' });
      expect(pongFrame()).to.deep.equal({ type: 'pong' });
      expect('data' in pingFrame()).to.equal(false);
      expect('data' in pongFrame()).to.equal(false);
    });

    it('should encode a string ping or pong payload as UTF-8 bytes and keep a byte payload as it is', () => {
      const bytes = new Uint8Array([9]);
      expect(pingFrame('é')).to.deep.equal({ type: 'ping', data: new Uint8Array([0xc3, 0xa9]) });
      expect(pongFrame('ok')).to.deep.equal({ type: 'pong', data: new Uint8Array([0x6f, 0x6b]) });
      expect(pingFrame(bytes).data).to.equal(bytes);
      expect(pongFrame(bytes).data).to.equal(bytes);
    });

    it('should build a close frame with only the fields that were given', () => {
      expect(closeFrame()).to.deep.equal({ type: 'close' });
      expect(closeFrame(1000)).to.deep.equal({ type: 'close', code: 1000 });
      expect('reason' in closeFrame(1000)).to.equal(false);
      expect(closeFrame(4000, 'bye')).to.deep.equal({ type: 'close', code: 4000, reason: 'bye' });
    });

    it('should refuse to build a close frame with a code that may not be sent', () => {
      expect(invalidFrameMessage(() => closeFrame(1006))).to.equal(
        'rxnova: invalid frame: close code 1006 may not be sent: use 1000, 1001-1003, 1007-1014 or 3000-4999',
      );
    });

    it('should refuse to build a close frame with a reason but no code', () => {
      expect(invalidFrameMessage(() => closeFrame(undefined, 'why'))).to.equal('rxnova: invalid frame: a close reason needs a close code');
    });
  });

  describe('isValidCloseCode()', () => {
    it('should accept exactly 1000, 1001-1003, 1007-1014 and 3000-4999', () => {
      const valid: number[] = [];
      for (let code = 0; code < 5100; code++) if (isValidCloseCode(code)) valid.push(code);
      const expected = [1000, 1001, 1002, 1003, ...Array.from({ length: 8 }, (_, i) => 1007 + i)];
      for (let code = 3000; code <= 4999; code++) expected.push(code);
      expect(valid).to.deep.equal(expected);
    });

    it('should refuse a code that is not an integer, even inside a valid range', () => {
      expect(isValidCloseCode(1000.5)).to.equal(false);
      expect(isValidCloseCode(3500.5)).to.equal(false);
      expect(isValidCloseCode(Number.NaN)).to.equal(false);
    });
  });

  describe('utf8Length()', () => {
    it('should count the bytes of one-, two-, three- and four-byte characters as UTF-8 does', () => {
      for (const text of ['', 'a', '\u007f', '\u0080', 'é', '\u07ff', '\u0800', '€', '\uffff', '😀', 'a😀é€', '\ud7ff', '\ue000']) {
        expect(utf8Length(text), JSON.stringify(text)).to.equal(new TextEncoder().encode(text).byteLength);
      }
    });

    it('should count a surrogate pair as 4 bytes only when a low surrogate follows the high one', () => {
      expect(utf8Length('\ud800\udc00')).to.equal(4);
      expect(utf8Length('\udbff\udfff')).to.equal(4);
      expect(utf8Length('\ud83d\ude00x')).to.equal(5);
    });

    it('should count a lone surrogate as the 3 bytes of U+FFFD, as TextEncoder writes it', () => {
      for (const text of ['\udc00\udc00', '\u0800\udc00', '\ue000\udc00', '€\udc00', '\ud800', '\udc00', '\ud800x', '\ud800\ud800', '\ud800\ue000', 'x\udbff', '\udfff\ud800', '\ud800\udbff\udc00']) {
        expect(utf8Length(text), JSON.stringify(text)).to.equal(new TextEncoder().encode(text).byteLength);
      }
    });
  });

  describe('validateFrame()', () => {
    it('should accept every well-formed frame', () => {
      const frames: Frame[] = [
        textFrame(''),
        binaryFrame(new Uint8Array(0)),
        pingFrame(),
        pongFrame(new Uint8Array(MAX_CONTROL_PAYLOAD)),
        { type: 'close' },
        { type: 'close', reason: '' },
        { type: 'close', code: 1000, reason: 'x'.repeat(MAX_CLOSE_REASON) },
      ];
      for (const frame of frames) expect(() => validateFrame(frame), frame.type).not.to.throw();
    });

    it('should say what it got when the frame is not an object', () => {
      expect(invalidFrameMessage(() => validateLoose(null))).to.equal('rxnova: invalid frame: expected a frame object, got null');
      expect(invalidFrameMessage(() => validateLoose('text'))).to.equal('rxnova: invalid frame: expected a frame object, got string');
      expect(invalidFrameMessage(() => validateLoose(undefined))).to.equal('rxnova: invalid frame: expected a frame object, got undefined');
    });

    it('should name an unknown frame type', () => {
      expect(invalidFrameMessage(() => validateLoose({ type: 'continuation' }))).to.equal('rxnova: invalid frame: unknown frame type "continuation"');
    });

    it('should refuse text data that is not a string and binary data that is not a Uint8Array', () => {
      expect(invalidFrameMessage(() => validateLoose({ type: 'text', data: 5 }))).to.equal(
        'rxnova: invalid frame: text data must be a string, got number',
      );
      expect(invalidFrameMessage(() => validateLoose({ type: 'binary', data: 'abc' }))).to.equal(
        'rxnova: invalid frame: binary data must be a Uint8Array, got string',
      );
      expect(invalidFrameMessage(() => validateLoose({ type: 'binary', data: new ArrayBuffer(1) }))).to.equal(
        'rxnova: invalid frame: binary data must be a Uint8Array, got ArrayBuffer',
      );
    });

    it('should refuse a ping or pong payload that is not a Uint8Array', () => {
      expect(invalidFrameMessage(() => validateLoose({ type: 'ping', data: 'hi' }))).to.equal(
        'rxnova: invalid frame: ping payload must be a Uint8Array, got string',
      );
      expect(invalidFrameMessage(() => validateLoose({ type: 'pong', data: [1] }))).to.equal(
        'rxnova: invalid frame: pong payload must be a Uint8Array, got Array',
      );
    });

    it('should accept a control payload of 125 bytes and refuse one of 126', () => {
      expect(() => validateFrame(pingFrame(new Uint8Array(125)))).not.to.throw();
      expect(invalidFrameMessage(() => validateFrame(pingFrame(new Uint8Array(126))))).to.equal(
        'rxnova: invalid frame: ping payload is 126 bytes, at most 125 allowed',
      );
      expect(invalidFrameMessage(() => validateFrame(pongFrame(new Uint8Array(200))))).to.equal(
        'rxnova: invalid frame: pong payload is 200 bytes, at most 125 allowed',
      );
    });

    it('should refuse a close reason without a code, unless it is empty', () => {
      expect(() => validateLoose({ type: 'close', reason: '' })).not.to.throw();
      expect(invalidFrameMessage(() => validateLoose({ type: 'close', reason: 'x' }))).to.equal(
        'rxnova: invalid frame: a close reason needs a close code',
      );
    });

    it('should refuse a close reason that is not a string', () => {
      expect(invalidFrameMessage(() => validateLoose({ type: 'close', code: 1000, reason: 42 }))).to.equal(
        'rxnova: invalid frame: close reason must be a string, got number',
      );
    });

    it('should measure the close reason in UTF-8 bytes: 123 pass, 124 are refused', () => {
      expect(() => validateFrame(closeFrame(1000, 'é'.repeat(61) + 'a'))).not.to.throw();
      expect(invalidFrameMessage(() => validateFrame({ type: 'close', code: 1000, reason: 'é'.repeat(62) }))).to.equal(
        'rxnova: invalid frame: close reason is 124 UTF-8 bytes, at most 123 allowed',
      );
    });
  });

  describe('frameSize()', () => {
    it('should count text in UTF-8 bytes and binary data in bytes', () => {
      expect(frameSize(textFrame('é€😀'))).to.equal(2 + 3 + 4);
      expect(frameSize(binaryFrame(new Uint8Array(7)))).to.equal(7);
    });

    it('should count a ping or pong by its payload, 0 without one', () => {
      expect(frameSize(pingFrame())).to.equal(0);
      expect(frameSize(pongFrame())).to.equal(0);
      expect(frameSize(pingFrame('abc'))).to.equal(3);
      expect(frameSize(pongFrame(new Uint8Array(5)))).to.equal(5);
    });

    it('should count a close frame as its two code bytes plus the UTF-8 reason, 0 without a code', () => {
      expect(frameSize(closeFrame())).to.equal(0);
      expect(frameSize(closeFrame(1000))).to.equal(2);
      expect(frameSize(closeFrame(1000, ''))).to.equal(2);
      expect(frameSize(closeFrame(4000, 'é!'))).to.equal(5);
    });
  });
});
