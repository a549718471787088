// Arbitraries and helpers shared by the backoff property specs.
import fc from 'fast-check';
import { BackoffStrategy, RandomSource } from '../../src/backoff/backoff';

/** The largest double below 1: the most a `Math.random`-like source can return. */
export const JUST_BELOW_ONE = 1 - Number.EPSILON / 2;

/** Values a random source may return, with the edges 0 and just below 1 drawn often. */
export const randomValue = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(0, JUST_BELOW_ONE) },
  { weight: 3, arbitrary: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) },
);

/** A non-empty sequence of random values. */
export const randomValues = fc.array(randomValue, { minLength: 1, maxLength: 40 });

/** A delay option in milliseconds, including 0. */
export const delay = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true }));

/** A random source that returns `values` in order, starting again at the end. */
export function cycle(values: readonly number[]): RandomSource {
  let index = 0;
  return () => values[index++ % values.length]!;
}

/** A random source that fails the test if it is used. */
export const noRandom: RandomSource = () => {
  throw new Error('this strategy should not draw a random number');
};

/**
 * Runs a strategy as `reconnect` does: attempts 1..count, each given the
 * delay it returned before (0 for attempt 1).
 */
export function schedule(strategy: BackoffStrategy, count: number, random: RandomSource): number[] {
  const delays: number[] = [];
  let previous = 0;
  for (let attempt = 1; attempt <= count; attempt++) {
    previous = strategy(attempt, previous, random);
    delays.push(previous);
  }
  return delays;
}

/**
 * Whether every delay is whole milliseconds in [min, max]. Strategies round
 * up (see `capDelay`), so a bound computed from fractional options is rounded
 * up here too.
 */
export function within(delays: readonly number[], min: number, max: number): boolean {
  return delays.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= min && d <= Math.ceil(max));
}
