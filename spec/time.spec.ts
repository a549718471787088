/**
 * The two rules every delay follows: a computed delay is capped and rounded up to whole milliseconds by capDelay(),
 * and a user-given duration is checked by checkDuration(), whose error names the option, the rule and the value.
 */
import { expect } from 'chai';
import { InvalidOptionsError } from '../src/errors';
import { MAX_DELAY, capDelay, checkDuration } from '../src/time';
import { invalidOptionsMessage } from './support/invalid-options';

describe('time', () => {
  it('should set MAX_DELAY to 2^31 - 1 ms, the longest timer Node and browsers honour', () => {
    expect(MAX_DELAY).to.equal(2 ** 31 - 1);
  });

  describe('capDelay()', () => {
    it('should round a fractional delay up to the next whole millisecond', () => {
      expect(capDelay(685.01)).to.equal(686);
      expect(capDelay(0.2)).to.equal(1);
      expect(capDelay(1)).to.equal(1);
    });

    it('should cap a delay above MAX_DELAY at MAX_DELAY, and keep MAX_DELAY itself', () => {
      expect(capDelay(MAX_DELAY)).to.equal(MAX_DELAY);
      expect(capDelay(MAX_DELAY + 0.5)).to.equal(MAX_DELAY);
      expect(capDelay(MAX_DELAY - 0.5)).to.equal(MAX_DELAY);
      expect(capDelay(Infinity)).to.equal(MAX_DELAY);
    });

    it('should turn 0, a negative delay and NaN into 0', () => {
      expect(capDelay(0)).to.equal(0);
      expect(Object.is(capDelay(-0), 0)).to.equal(true);
      expect(capDelay(-5)).to.equal(0);
      expect(capDelay(-0.5)).to.equal(0);
      expect(capDelay(-Infinity)).to.equal(0);
      expect(capDelay(Number.NaN)).to.equal(0);
    });
  });

  describe('checkDuration()', () => {
    it('should return a valid duration as given', () => {
      expect(checkDuration('timeout', 1)).to.equal(1);
      expect(checkDuration('timeout', 0.5)).to.equal(0.5);
      expect(checkDuration('timeout', MAX_DELAY)).to.equal(MAX_DELAY);
      expect(checkDuration('timeout', 0, { zero: true })).to.equal(0);
      expect(checkDuration('timeout', Infinity, { infinity: true })).to.equal(Infinity);
    });

    it('should refuse 0 unless the rule allows it, and say so', () => {
      expect(invalidOptionsMessage(() => checkDuration('connectTimeout', 0))).to.equal(
        `rxnova: invalid options: connectTimeout must be a number of milliseconds, above 0 and at most ${MAX_DELAY}, got 0`,
      );
      expect(invalidOptionsMessage(() => checkDuration('ttl', -0, { zero: false }))).to.include('above 0');
    });

    it('should refuse a negative duration even when 0 is allowed', () => {
      expect(invalidOptionsMessage(() => checkDuration('ttl', -1, { zero: true }))).to.equal(
        `rxnova: invalid options: ttl must be a number of milliseconds, 0 or more and at most ${MAX_DELAY}, got -1`,
      );
    });

    it('should refuse a duration above MAX_DELAY, and Infinity unless the rule allows it', () => {
      expect(invalidOptionsMessage(() => checkDuration('interval', MAX_DELAY + 1))).to.equal(
        `rxnova: invalid options: interval must be a number of milliseconds, above 0 and at most ${MAX_DELAY}, got ${MAX_DELAY + 1}`,
      );
      expect(invalidOptionsMessage(() => checkDuration('interval', Infinity))).to.include('got Infinity');
      expect(invalidOptionsMessage(() => checkDuration('interval', MAX_DELAY + 1, { infinity: true }))).to.equal(
        `rxnova: invalid options: interval must be a number of milliseconds, above 0 and at most ${MAX_DELAY}, or Infinity, got ${MAX_DELAY + 1}`,
      );
    });

    it('should refuse NaN and anything that is not a number, showing what it got', () => {
      expect(invalidOptionsMessage(() => checkDuration('timeout', Number.NaN, { zero: true, infinity: true }))).to.equal(
        `rxnova: invalid options: timeout must be a number of milliseconds, 0 or more and at most ${MAX_DELAY}, or Infinity, got NaN`,
      );
      expect(invalidOptionsMessage(() => checkDuration('timeout', '100'))).to.include('got "100"');
      expect(() => checkDuration('timeout', null, { zero: true })).to.throw(InvalidOptionsError, 'got null');
    });
  });
});
