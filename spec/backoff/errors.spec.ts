import { expect } from 'chai';
import { invalidOptionsMessage as messageOf } from '../support/invalid-options';
import { BackoffStrategy } from '../../src/backoff/backoff';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { exponentialBackoff } from '../../src/backoff/exponential-backoff';
import { linearBackoff } from '../../src/backoff/linear-backoff';
import { stepBackoff } from '../../src/backoff/step-backoff';


// A user who wires a strategy wrongly reads these messages: each names the strategy, the argument, what it must be
// and what it got.
describe('backoff strategy errors', () => {
  const strategies: [string, BackoffStrategy][] = [
    ['constantBackoff', constantBackoff(100)],
    ['linearBackoff', linearBackoff()],
    ['stepBackoff', stepBackoff([10, 20])],
    ['exponentialBackoff', exponentialBackoff()],
  ];

  for (const [name, strategy] of strategies) {
    it(`should name ${name}, the attempt and the rule when called with attempt 0`, () => {
      expect(messageOf(() => strategy(0, 0, () => 0.5))).to.include(`${name}: attempt must be an integer >= 1, got 0`);
    });

    it(`should name ${name}, the previous delay and the rule when called with a negative or non-number previous delay`, () => {
      expect(messageOf(() => strategy(2, -1, () => 0.5))).to.include(`${name}: previousDelay must be a finite number >= 0, got -1`);
      expect(messageOf(() => strategy(2, '5' as unknown as number, () => 0.5))).to.include(`${name}: previousDelay must be a finite number >= 0, got "5"`);
    });
  }

  it('should say that maxDelay must be at least initialDelay, with both values, for exponentialBackoff and linearBackoff', () => {
    expect(messageOf(() => exponentialBackoff({ initialDelay: 500, maxDelay: 100 }))).to.include(
      'exponentialBackoff: maxDelay must be >= initialDelay (500), got 100',
    );
    expect(messageOf(() => linearBackoff({ initialDelay: 500, maxDelay: 100 }))).to.include(
      'linearBackoff: maxDelay must be >= initialDelay (500), got 100',
    );
  });

  it('should say what factor must be when exponentialBackoff gets a factor below 1 or a string', () => {
    expect(messageOf(() => exponentialBackoff({ factor: 0.5 }))).to.include('exponentialBackoff: factor must be a finite number >= 1, got 0.5');
    expect(messageOf(() => exponentialBackoff({ factor: '2' as unknown as number }))).to.include('exponentialBackoff: factor must be a finite number >= 1, got "2"');
  });

  it('should list the jitter modes when exponentialBackoff gets an unknown one', () => {
    expect(messageOf(() => exponentialBackoff({ jitter: 'random' as never }))).to.include(
      'exponentialBackoff: jitter must be one of "none", "full", "equal", "decorrelated", got "random"',
    );
  });

  it('should say what the random source must return when it returns a string or more than 1', () => {
    const strategy = exponentialBackoff({ jitter: 'full' });
    const rule = "exponentialBackoff: the random source's draw must be a number in [0, 1)";
    expect(messageOf(() => strategy(1, 0, () => '0.5' as unknown as number))).to.include(`${rule}, got "0.5"`);
    expect(messageOf(() => strategy(1, 0, () => 1.5))).to.include(`${rule}, got 1.5`);
  });

  it('should accept a draw of exactly 1 from a sloppy random source and give the whole delay with full jitter', () => {
    expect(exponentialBackoff({ initialDelay: 1000, jitter: 'full' })(1, 0, () => 1)).to.equal(1000);
  });

  it('should say that stepBackoff needs a non-empty array, and what it got', () => {
    expect(messageOf(() => stepBackoff([]))).to.include('stepBackoff: table must be a non-empty array of delays, got an empty array');
    expect(messageOf(() => stepBackoff(undefined as unknown as number[]))).to.include(
      'stepBackoff: table must be a non-empty array of delays, got undefined',
    );
  });
});
