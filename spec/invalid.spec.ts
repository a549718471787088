/**
 * The one shape of an option error (`<what> must be <expected>, got <value>`) and how a value reads in it.
 */
import { expect } from 'chai';
import { InvalidOptionsError } from '../src/errors';
import { isObject, mustBe, show } from '../src/invalid';

describe('option errors', () => {
  describe('show()', () => {
    it('should show numbers as written, and -0 as -0', () => {
      expect(show(42)).to.equal('42');
      expect(show(-1.5)).to.equal('-1.5');
      expect(show(Number.NaN)).to.equal('NaN');
      expect(show(-0)).to.equal('-0');
      expect(show(0)).to.equal('0');
    });

    it('should quote strings, so an empty or numeric string is told apart from a number', () => {
      expect(show('')).to.equal('""');
      expect(show('10')).to.equal('"10"');
    });

    it('should name the kind of a function, null, an array and an object instead of printing them', () => {
      expect(show(() => 1)).to.equal('a function');
      expect(show(null)).to.equal('null');
      expect(show([1, 2])).to.equal('an array');
      expect(show({ a: 1 })).to.equal('an object');
      expect(show(new Date(0))).to.equal('an object');
    });

    it('should print undefined, booleans, bigints and symbols as String() does', () => {
      expect(show(undefined)).to.equal('undefined');
      expect(show(true)).to.equal('true');
      expect(show(10n)).to.equal('10');
      expect(show(Symbol('s'))).to.equal('Symbol(s)');
    });
  });

  describe('mustBe()', () => {
    it('should make an InvalidOptionsError that names the option, the rule and the value', () => {
      const error = mustBe('reconnect: maxAttempts', 'an integer of 0 or more', -1);
      expect(error).to.be.instanceOf(InvalidOptionsError);
      expect(error.message).to.equal('rxnova: invalid options: reconnect: maxAttempts must be an integer of 0 or more, got -1');
    });
  });

  describe('isObject()', () => {
    it('should accept objects and arrays, and refuse null and primitives', () => {
      expect(isObject({})).to.equal(true);
      expect(isObject([])).to.equal(true);
      expect(isObject(null)).to.equal(false);
      expect(isObject(undefined)).to.equal(false);
      expect(isObject('x')).to.equal(false);
      expect(isObject(() => 1)).to.equal(false);
    });
  });
});
