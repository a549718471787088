import { expect } from 'chai';
import { invalidOptionsMessage as messageOf } from './support/invalid-options';
import { closePolicy, describeCloseCode, retryAfterOf, retryFloorOf } from '../src/close-codes';
import { ConnectionClosedError, HandshakeError } from '../src/errors';


describe('close codes at their edges', () => {
  describe('closePolicy options', () => {
    it('should say which table must be an object, of what to what, when a table is not an object', () => {
      const cases: [object, string][] = [
        [{ floors: 5 }, "close policy floors must be an object of close code to { min, jitter } or false, got 5"],
        [{ codes: 'x' }, `close policy codes must be an object of close code to 'retry' or 'stop', got "x"`],
        [{ statuses: null }, "close policy statuses must be an object of HTTP status to 'retry' or 'stop', got null"],
        [{ errors: true }, "close policy errors must be an object of error code to 'retry' or 'stop', got true"],
      ];
      for (const [config, message] of cases) expect(messageOf(() => closePolicy(config as never))).to.include(message);
    });

    it('should name the entry and the expected shape when a floor is not an object or false', () => {
      expect(messageOf(() => closePolicy({ floors: { 1013: 5 } } as never))).to.include(
        'close policy floors[1013] must be { min, jitter } or false, got 5',
      );
      expect(messageOf(() => closePolicy({ codes: { 4000: 'later' } } as never))).to.include(
        "close policy codes[4000] must be 'retry' or 'stop', got \"later\"",
      );
    });

    it('should accept a floor with min 0 (no least wait) and turn a floor off with false', () => {
      const floors = { 1013: { min: 0 }, 1012: false as const };
      expect(() => closePolicy({ floors })).not.to.throw();
      expect(retryFloorOf(new ConnectionClosedError(1013, '', false), floors)).to.deep.equal({ min: 0 });
      expect(retryFloorOf(new ConnectionClosedError(1012, '', false), floors)).to.equal(undefined);
    });
  });

  describe('retryFloorOf', () => {
    it('should give undefined for anything that is not a closed connection, null and undefined included', () => {
      for (const error of [null, undefined, 42, new HandshakeError(503), { closeCode: 1013 }]) {
        expect(retryFloorOf(error), String(error)).to.equal(undefined);
      }
    });
  });

  describe('describeCloseCode', () => {
    it('should call code 0 unused, not invalid', () => {
      expect(describeCloseCode(0)).to.equal('Unused: codes below 1000 are not used');
    });
  });

  describe('retryAfterOf', () => {
    const now = Date.parse('Wed, 01 May 2024 12:00:00 GMT');

    it('should read a handshake error from another bundle (the same code and fields, no class) and one without headers', () => {
      expect(retryAfterOf({ code: 'RXNOVA_ERR_HANDSHAKE', status: 429, headers: { 'retry-after': '3' } }, now)).to.equal(3_000);
      expect(retryAfterOf({ code: 'RXNOVA_ERR_HANDSHAKE', status: 429 }, now)).to.equal(undefined);
    });

    it('should give undefined for null and for another error that has a status and a Retry-After header', () => {
      expect(retryAfterOf(null, now)).to.equal(undefined);
      expect(retryAfterOf({ code: 'RXNOVA_ERR_CONNECT', status: 429, headers: { 'retry-after': '3' } }, now)).to.equal(undefined);
    });

    it('should read an HTTP date after leading spaces, and ignore one that does not start with a day name', () => {
      expect(retryAfterOf(new HandshakeError(503, { 'retry-after': '  Wed, 01 May 2024 12:00:30 GMT' }), now)).to.equal(30_000);
      expect(retryAfterOf(new HandshakeError(503, { 'retry-after': '01 May 2024 12:00:30 GMT' }), now)).to.equal(undefined);
      expect(retryAfterOf(new HandshakeError(503, { 'retry-after': 'Z 2030' }), now)).to.equal(undefined);
    });
  });
});
