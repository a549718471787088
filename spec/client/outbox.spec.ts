import { expect } from 'chai';
import type { OutboxConfig, OutboxEntry } from '../../src/client/outbox';
import { InvalidOptionsError, OutboxFullError } from '../../src/errors';
import { textFrame } from '../../src/frame';
import { makeOutbox as make } from './outbox-support';

describe('Outbox', () => {
  it('should hand messages back in the order they were pushed, with their frames and sizes', () => {
    const { outbox, push } = make();
    push('a', 10);
    push('b', 20);
    expect(outbox.size).to.equal(2);
    expect(outbox.bytes).to.equal(30);
    expect(outbox.peek()).to.deep.include({ message: 'a', frame: textFrame('a'), bytes: 10, expiresAt: Infinity });
    expect(outbox.shift()?.message).to.equal('a');
    expect(outbox.shift()).to.deep.include({ message: 'b', frame: textFrame('b'), bytes: 20, expiresAt: Infinity });
    expect(outbox.shift()).to.equal(undefined);
    expect(outbox.peek()).to.equal(undefined);
    expect([outbox.size, outbox.bytes]).to.deep.equal([0, 0]);
  });

  it('should keep order across many pushes and shifts (head compaction)', () => {
    const { outbox, push } = make({ maxMessages: 50_000 });
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10_000; i++) push(String(next++));
      for (let i = 0; i < 7_000; i++) expect(outbox.shift()?.message).to.equal(String(expected++));
    }
    expect(outbox.size).to.equal(next - expected);
    for (let entry = outbox.shift(); entry; entry = outbox.shift()) expect(entry.message).to.equal(String(expected++));
    expect(expected).to.equal(next);
  });

  it('should refuse a message over maxMessages with OutboxFullError and keep what it holds', () => {
    const { drops, push, drain } = make({ maxMessages: 2 });
    push('a');
    push('b');
    let error: unknown;
    try {
      push('c');
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(OutboxFullError);
    const full = error as OutboxFullError;
    expect(full.code).to.equal('RXNOVA_ERR_OUTBOX_FULL');
    expect(full.name).to.equal('OutboxFullError');
    expect(full.size).to.equal(2);
    expect(full.bytes).to.equal(2);
    expect(full.message).to.equal('rxnova: outbox is full (2 messages, 2 bytes; limit maxMessages 2): message not accepted');
    expect(drops).to.deep.equal([]);
    expect(drain()).to.deep.equal(['a', 'b']);
  });

  it('should refuse a message over maxBytes with OutboxFullError naming the byte limit', () => {
    const { outbox, push } = make({ maxBytes: 10 });
    push('a', 6);
    expect(() => push('b', 5)).to.throw(OutboxFullError, /limit maxBytes 10, and the message is 5 bytes/);
    push('c', 4);
    expect([outbox.size, outbox.bytes]).to.deep.equal([2, 10]);
    expect(() => push('huge', 11)).to.throw(OutboxFullError, /the message alone is 11 bytes/);
  });

  it("should drop the oldest messages until the new one fits with 'drop-oldest'", () => {
    const { drops, push, drain } = make({ maxMessages: 3, maxBytes: 10, overflow: 'drop-oldest' });
    push('a', 2);
    push('b', 2);
    push('c', 2);
    push('d', 1);
    expect(drops).to.deep.equal([['a', 'overflow']]);
    push('e', 9);
    expect(drops).to.deep.equal([
      ['a', 'overflow'],
      ['b', 'overflow'],
      ['c', 'overflow'],
    ]);
    expect(drain()).to.deep.equal(['d', 'e']);
  });

  it("should drop the new message and keep the old ones with 'drop-newest'", () => {
    const { outbox, drops, push, drain } = make({ maxMessages: 2, overflow: 'drop-newest' });
    push('a');
    push('b');
    expect(() => push('c')).not.to.throw();
    expect(drops).to.deep.equal([['c', 'overflow']]);
    expect(outbox.size).to.equal(2);
    expect(drain()).to.deep.equal(['a', 'b']);
  });

  it('should report a message larger than maxBytes on its own as dropped with either drop policy', () => {
    for (const overflow of ['drop-oldest', 'drop-newest'] as const) {
      const { drops, push, drain } = make({ maxBytes: 8, overflow });
      push('a', 4);
      push('big', 9);
      expect(drops).to.deep.equal([['big', 'overflow']]);
      expect(drain()).to.deep.equal(['a']);
    }
  });

  it('should put an entry back at the head with unshift, past the limits', () => {
    const { outbox, push, drain } = make({ maxMessages: 2 });
    push('a');
    push('b');
    const first = outbox.shift() as OutboxEntry<string>;
    push('c');
    outbox.unshift(first);
    expect([outbox.size, outbox.bytes]).to.deep.equal([3, 3]);
    expect(drain()).to.deep.equal(['a', 'b', 'c']);
    outbox.unshift(first);
    expect(drain()).to.deep.equal(['a']);
  });

  it('should report every entry, oldest first, on clear and then be empty and usable', () => {
    const { outbox, drops, push, drain } = make();
    push('a');
    push('b');
    outbox.shift();
    push('c');
    outbox.clear('closed');
    expect(drops).to.deep.equal([
      ['b', 'closed'],
      ['c', 'closed'],
    ]);
    expect([outbox.size, outbox.bytes]).to.deep.equal([0, 0]);
    push('d');
    expect(drain()).to.deep.equal(['d']);
  });

  it('should default to 10000 messages, 16 MiB and the error policy', () => {
    const { push } = make();
    for (let i = 0; i < 10_000; i++) push('x', 1);
    expect(() => push('x', 1)).to.throw(OutboxFullError, /maxMessages 10000/);
    const bytes = make();
    bytes.push('a', 16 * 1024 * 1024);
    expect(() => bytes.push('b', 1)).to.throw(OutboxFullError, /maxBytes 16777216/);
  });

  it('should reject bad limits, ttl and overflow policy with InvalidOptionsError naming the option', () => {
    const bad: [OutboxConfig, RegExp][] = [
      [{ maxMessages: 0 }, /outbox maxMessages .* got 0/],
      [{ maxMessages: 1.5 }, /outbox maxMessages must be a positive integer/],
      [{ maxMessages: NaN }, /outbox maxMessages .* got NaN/],
      [{ maxBytes: -1 }, /outbox maxBytes .* got -1/],
      [{ ttl: 0 }, /outbox ttl .* got 0/],
      [{ overflow: 'drop-all' as never }, /outbox overflow must be 'error', 'drop-oldest' or 'drop-newest', got "drop-all"/],
    ];
    for (const [config, message] of bad) expect(() => make(config)).to.throw(InvalidOptionsError, message);
    expect(() => make({ maxMessages: Infinity, maxBytes: Infinity, ttl: Infinity })).not.to.throw();
    const { outbox } = make();
    expect(() => outbox.push('a', textFrame('a'), 1, -5)).to.throw(InvalidOptionsError, /ttl .* got -5/);
    expect(() => outbox.push('a', textFrame('a'), NaN)).to.throw(InvalidOptionsError, /size/);
    expect(outbox.size).to.equal(0);
  });
});
