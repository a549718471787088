import { mustBe, show } from '../invalid';
import { capDelay } from '../time';
import { BackoffStrategy } from './backoff';
import { checkAttempt, checkDelay } from './validate';

/** The options of {@link linearBackoff}. */
export interface LinearBackoffConfig {
  /**
   * The delay before the first attempt, in milliseconds (at most `MAX_DELAY`).
   * @default 1000
   */
  readonly initialDelay?: number;
  /**
   * How much each further attempt adds to the delay, in milliseconds (at most `MAX_DELAY`).
   * @default 1000
   */
  readonly increment?: number;
  /**
   * The largest delay, in milliseconds; at least `initialDelay`, at most `MAX_DELAY` (2^31 - 1).
   * @default 30000
   */
  readonly maxDelay?: number;
}

/**
 * A backoff strategy whose delay grows by a fixed step, up to a cap.
 *
 * `delay(n) = min(maxDelay, initialDelay + (n - 1) * increment)`. No jitter.
 *
 * ```
 * attempt:  1       2            3                4
 * delay:    1000    2000         3000             4000   ... 30000
 * ```
 *
 * @throws InvalidOptionsError when a delay is negative, NaN, not finite or
 * above `MAX_DELAY`, or `maxDelay < initialDelay`.
 *
 * @example
 * ```ts
 * // 500 ms, 1 s, 1.5 s, ... up to 5 s.
 * source$.pipe(reconnect({ backoff: linearBackoff({ initialDelay: 500, increment: 500, maxDelay: 5_000 }) }));
 * ```
 */
export function linearBackoff(config: LinearBackoffConfig = {}): BackoffStrategy {
  const { initialDelay = 1000, increment = 1000, maxDelay = 30000 } = config;
  checkDelay('linearBackoff', 'initialDelay', initialDelay);
  checkDelay('linearBackoff', 'increment', increment);
  checkDelay('linearBackoff', 'maxDelay', maxDelay);
  if (maxDelay < initialDelay) throw mustBe('linearBackoff: maxDelay', `>= initialDelay (${show(initialDelay)})`, maxDelay);
  return (attempt, previousDelay) => {
    checkAttempt('linearBackoff', attempt, previousDelay);
    return capDelay(Math.min(maxDelay, initialDelay + (attempt - 1) * increment));
  };
}
