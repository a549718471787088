import { capDelay } from '../time';
import { BackoffStrategy } from './backoff';
import { checkAttempt, checkDelay } from './validate';

/**
 * A backoff strategy that waits the same `delay` before every attempt.
 *
 * `delay(n) = delay`. A delay of 0 makes `reconnect` resubscribe at once
 * (synchronously); pair it with `maxAttempts`, since a source that fails at
 * once would otherwise loop.
 *
 * Without jitter, clients that lost their connection together all come back
 * together: prefer {@link exponentialBackoff} for anything with many clients.
 *
 * ```
 * attempt:  1    2    3    4
 * delay:    d    d    d    d
 * ```
 *
 * @param delay The delay in milliseconds, `>= 0` and at most `MAX_DELAY` (2^31 - 1).
 * @throws InvalidOptionsError when `delay` is negative, NaN, above `MAX_DELAY` or not a number.
 *
 * @example
 * ```ts
 * source$.pipe(reconnect({ backoff: constantBackoff(2_000), maxAttempts: 5 }));
 * ```
 */
export function constantBackoff(delay: number): BackoffStrategy {
  checkDelay('constantBackoff', 'delay', delay);
  return (attempt, previousDelay) => {
    checkAttempt('constantBackoff', attempt, previousDelay);
    return capDelay(delay);
  };
}
