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
 * @param delay The delay in milliseconds, a finite number `>= 0`.
 * @throws InvalidOptionsError when `delay` is negative, NaN or not finite.
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
    return delay;
  };
}
