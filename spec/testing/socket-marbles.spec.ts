/**
 * The socket diagrams of `TestSocket.play()`: where each character lands in
 * time, and the diagrams it refuses. (What play() does with them is in
 * marbles/testing/.)
 */
import { expect } from 'chai';
import { parseSocketMarbles } from '../../src/testing/socket-marbles';
import { invalidOptionsReason } from '../support/invalid-options';

/** The diagram as `char@time` pairs. */
const parsed = (diagram: string): string[] => parseSocketMarbles(diagram).map(({ char, time }) => `${char}@${time}`);

describe('socket diagrams', () => {
  it('should put each character 1 ms after the one before, a dash being 1 ms and a space nothing', () => {
    expect(parsed('ab-c  -d|')).to.deep.equal(['a@0', 'b@1', 'c@3', 'd@5', '|@6']);
    expect(parsed('')).to.deep.equal([]);
  });

  it('should put a group at one time and let it take as many ms as its characters and parentheses', () => {
    expect(parsed('(ab)c')).to.deep.equal(['a@0', 'b@0', 'c@4']);
    expect(parsed('-(a#)')).to.deep.equal(['a@1', '#@1']);
  });

  it('should advance time by a progression at the start or after a space, in ms, s or m, fractions included', () => {
    expect(parsed('10ms a')).to.deep.equal(['a@10']);
    expect(parsed('0ms a')).to.deep.equal(['a@0']);
    expect(parsed('9ms a')).to.deep.equal(['a@9']);
    expect(parsed('2s a')).to.deep.equal(['a@2000']);
    expect(parsed('1.25s a')).to.deep.equal(['a@1250']);
    expect(parsed('3m a')).to.deep.equal(['a@180000']);
    expect(parsed('a 5ms b')).to.deep.equal(['a@0', 'b@6']);
    expect(parsed('a 5ms')).to.deep.equal(['a@0']);
  });

  it('should take digits that are not a progression as events', () => {
    // Not after a space: an event.
    expect(parsed('a10ms b')).to.deep.equal(['a@0', '1@1', '0@2', 'm@3', 's@4', 'b@5']);
    // No unit, or no space after it: events, whatever comes later in the diagram.
    expect(parsed('1 a 5ms b')).to.deep.equal(['1@0', 'a@1', 'b@7']);
    expect(parsed('12a')).to.deep.equal(['1@0', '2@1', 'a@2']);
    expect(parsed('5msa')).to.deep.equal(['5@0', 'm@1', 's@2', 'a@3']);
    expect(parsed('1.5x')).to.deep.equal(['1@0', '.@1', '5@2', 'x@3']);
  });

  it('should refuse a diagram that is not a string, nests or mismatches groups, or has ^ or !, saying where', () => {
    const message = (diagram: unknown): string => invalidOptionsReason(() => parseSocketMarbles(diagram as string));
    expect(message(42)).to.equal('a socket diagram must be a string, got number');
    expect(message('(a(b))')).to.equal('socket diagram "(a(b))" nests groups at 2');
    expect(message('a)')).to.equal('socket diagram "a)" closes a group it did not open at 1');
    expect(message('(ab')).to.equal('socket diagram "(ab" has an unclosed group');
    expect(message('-^-a')).to.equal('socket diagram "-^-a" may not contain "^": a socket diagram starts when it is played and ends with the socket');
    expect(message('a-!')).to.equal('socket diagram "a-!" may not contain "!": a socket diagram starts when it is played and ends with the socket');
  });
});
