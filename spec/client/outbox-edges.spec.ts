import { expect } from 'chai';
import { invalidOptionsMessage as messageOf } from '../support/invalid-options';
import { OutboxFullError } from '../../src/errors';
import { textFrame } from '../../src/frame';
import { makeOutbox as make } from './outbox-support';

describe('Outbox at its edges', () => {
  describe('options', () => {
    it('should refuse an outbox option that is not an object, saying what it got', () => {
      expect(messageOf(() => make(5 as never))).to.include('outbox must be an object, got number');
      expect(messageOf(() => make('big' as never))).to.include('outbox must be an object, got string');
      expect(messageOf(() => make(null as never))).to.include('outbox must be an object, got null');
    });

    it('should say what each limit must be', () => {
      expect(messageOf(() => make({ maxMessages: 1.5 }))).to.include('outbox maxMessages must be a positive integer or Infinity, got 1.5');
      expect(messageOf(() => make({ maxBytes: 0 }))).to.include('outbox maxBytes must be a number above 0 or Infinity, got 0');
    });

    it('should refuse a maxBytes that is NaN or a string, and accept a fractional one', () => {
      expect(messageOf(() => make({ maxBytes: NaN }))).to.include('got NaN');
      expect(messageOf(() => make({ maxBytes: '5' as unknown as number }))).to.include('got 5');
      const { outbox, push } = make({ maxBytes: 2.5 });
      push('ab');
      expect(() => push('c')).to.throw(OutboxFullError);
      expect(outbox.size).to.equal(1);
    });
  });

  describe('message sizes', () => {
    it('should refuse a size that is negative, NaN, infinite or not a number, naming it', () => {
      const { outbox } = make();
      for (const bytes of [-1, NaN, Infinity, '5']) {
        expect(messageOf(() => outbox.push('m', textFrame('m'), bytes as number)), String(bytes)).to.include(
          'outbox message size must be a finite number of bytes, at least 0, got',
        );
      }
      expect(outbox.size).to.equal(0);
    });

    it('should accept an empty message of 0 bytes', () => {
      const { outbox, push, drain } = make();
      push('', 0);
      expect([outbox.size, outbox.bytes]).to.deep.equal([1, 0]);
      expect(drain()).to.deep.equal(['']);
    });
  });

  describe('a message of exactly maxBytes', () => {
    it("should make room for it with 'drop-oldest', since it fits in an empty outbox", () => {
      const { drops, push, drain } = make({ maxBytes: 10, overflow: 'drop-oldest' });
      push('a', 6);
      push('b', 10);
      expect(drops).to.deep.equal([['a', 'overflow']]);
      expect(drain()).to.deep.equal(['b']);
    });

    it("should be refused with 'error' as not fitting beside what is held, not as too large on its own", () => {
      const { push } = make({ maxBytes: 10 });
      push('a', 1);
      expect(() => push('b', 10)).to.throw(OutboxFullError, 'limit maxBytes 10, and the message is 10 bytes');
    });
  });

  it('should do nothing on pop when it is empty', () => {
    const { outbox, push, drain } = make();
    outbox.pop();
    expect([outbox.size, outbox.bytes]).to.deep.equal([0, 0]);
    push('a');
    outbox.pop();
    outbox.pop();
    expect(drain()).to.deep.equal([]);
  });

  it('should keep its backing array bounded (compacted) while messages keep flowing through a long queue', () => {
    const { outbox, push } = make({ maxMessages: Infinity });
    for (let i = 0; i < 5000; i++) push(String(i));
    let out = 0;
    for (let i = 5000; i < 60_000; i++) {
      push(String(i));
      if (outbox.shift()?.message === String(out)) out++;
    }
    expect(out, 'messages shifted in order').to.equal(55_000);
    expect(outbox.size).to.equal(5000);
    expect((outbox as unknown as { items: unknown[] }).items.length).to.be.at.most(2 * 5000 + 2);
  });
});
