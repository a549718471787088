import { InvalidOptionsError } from '../errors';
import { capDelay } from '../time';
import { BackoffStrategy } from './backoff';
import { checkAttempt, checkDelay } from './validate';

/**
 * A backoff strategy that reads its delays from a table: attempt `n` waits
 * `table[n - 1]`, and the last entry repeats for every later attempt.
 *
 * `delay(n) = table[min(n, table.length) - 1]`. No jitter.
 *
 * Phoenix's socket uses such a table, `[10, 50, 100, 150, 200, 250, 500,
 * 1000, 2000]` then 5000 for every later attempt. A table has no random part,
 * so clients that dropped together reconnect together: see the storm table
 * in README before using one for many clients.
 *
 * ```
 * table:    [10, 50, 100]
 * attempt:  1    2    3     4     5
 * delay:    10   50   100   100   100
 * ```
 *
 * The table is copied: changing the array later does not change the strategy.
 *
 * @param table The delays in milliseconds, at least one, each `>= 0` and at most `MAX_DELAY` (2^31 - 1).
 * @throws InvalidOptionsError when the table is empty, not an array, or holds
 * a negative, NaN or infinite delay, or one above `MAX_DELAY`.
 *
 * @example
 * ```ts
 * const phoenix = stepBackoff([10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000]);
 * source$.pipe(reconnect({ backoff: phoenix }));
 * ```
 */
export function stepBackoff(table: readonly number[]): BackoffStrategy {
  if (!Array.isArray(table) || table.length === 0) {
    throw new InvalidOptionsError(
      `stepBackoff: table must be a non-empty array of delays, got ${Array.isArray(table) ? 'an empty array' : String(table)}`,
    );
  }
  const steps = table.map((delay, index) => checkDelay('stepBackoff', `table[${index}]`, delay));
  const last = steps.length;
  return (attempt, previousDelay) => {
    checkAttempt('stepBackoff', attempt, previousDelay);
    // Stryker disable next-line EqualityOperator: `<=` is equivalent, at attempt === last both branches give last
    return capDelay(steps[(attempt < last ? attempt : last) - 1]);
  };
}
