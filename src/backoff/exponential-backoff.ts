import { mustBe, show } from '../invalid';
import { capDelay } from '../time';
import { BackoffStrategy } from './backoff';
import { checkAttempt, checkDelay, draw, isFiniteDelay } from './validate';

/**
 * How {@link exponentialBackoff} randomises its delays, so that clients that
 * dropped together do not come back together. With `d = min(maxDelay,
 * initialDelay * factor^(n - 1))` and `r` a draw from the random source:
 *
 * - `'none'`: `d`. Every client waits the same.
 * - `'full'`: `r * d`, anywhere in `[0, d)`. Spreads load the most.
 * - `'equal'`: `d / 2 + r * d / 2`, in `[d/2, d)`. Never shorter than half of `d`.
 * - `'decorrelated'`: `min(maxDelay, initialDelay + r * (3 * p - initialDelay))`,
 *   in `[initialDelay, 3p)`, where `p` is the previous delay (`initialDelay`
 *   for attempt 1, and never less than it). Grows from the previous delay
 *   instead of from the attempt number; `factor` is not used.
 *
 * Every result is then rounded up to whole milliseconds (so `'full'` may give
 * `d` itself, and an integer `maxDelay` is never exceeded).
 */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

/** The options of {@link exponentialBackoff}. */
export interface ExponentialBackoffConfig {
  /**
   * The delay before the first attempt (before jitter), in milliseconds (at most `MAX_DELAY`).
   * @default 1000
   */
  readonly initialDelay?: number;
  /**
   * The largest delay, in milliseconds; at least `initialDelay`, at most `MAX_DELAY` (2^31 - 1). No jitter mode exceeds it.
   * @default 30000
   */
  readonly maxDelay?: number;
  /**
   * How much the delay grows per attempt (`>= 1`; 1 keeps it constant). Not used by `'decorrelated'`.
   * @default 2
   */
  readonly factor?: number;
  /**
   * How the delay is randomised; see {@link Jitter}.
   * @default 'full'
   */
  readonly jitter?: Jitter;
}

const JITTERS: readonly Jitter[] = ['none', 'full', 'equal', 'decorrelated'];

/**
 * A backoff strategy whose delay grows geometrically up to a cap, randomised
 * by `jitter` (see {@link Jitter} for each formula).
 *
 * `d(n) = min(maxDelay, initialDelay * factor^(n - 1))`, then:
 *
 * ```
 * attempt:           1         2         3         4         5         6
 * 'none':            1000      2000      4000      8000      16000     30000
 * 'full':            [0,1000)  [0,2000)  [0,4000)  [0,8000)  [0,16000) [0,30000)
 * 'equal':           [500,1000) [1000,2000) ...                        [15000,30000)
 * 'decorrelated':    [1000,3000) [1000,3p) ...  capped at 30000
 * ```
 *
 * The default (1 s to 30 s, doubling, full jitter) is `reconnect`'s default
 * backoff.
 *
 * Every delay is at most `MAX_DELAY` (2^31 - 1 ms), the longest a timer can wait.
 *
 * @throws InvalidOptionsError when a delay is negative, NaN, not finite or above
 * `MAX_DELAY`, `maxDelay < initialDelay`, `factor` is below 1 or not finite, or `jitter` is
 * not one of `'none' | 'full' | 'equal' | 'decorrelated'`.
 *
 * @example
 * ```ts
 * // 250 ms, 500 ms, 1 s, ... up to 10 s, each between half and all of that.
 * const backoff = exponentialBackoff({ initialDelay: 250, maxDelay: 10_000, jitter: 'equal' });
 * source$.pipe(reconnect({ backoff }));
 * ```
 */
export function exponentialBackoff(config: ExponentialBackoffConfig = {}): BackoffStrategy {
  const { initialDelay = 1000, maxDelay = 30000, factor = 2, jitter = 'full' } = config;
  const owner = 'exponentialBackoff';
  checkDelay(owner, 'initialDelay', initialDelay);
  checkDelay(owner, 'maxDelay', maxDelay);
  if (maxDelay < initialDelay) throw mustBe(`${owner}: maxDelay`, `>= initialDelay (${show(initialDelay)})`, maxDelay);
  if (!(isFiniteDelay(factor) && factor >= 1)) throw mustBe(`${owner}: factor`, 'a finite number >= 1', factor);
  if (!JITTERS.includes(jitter)) throw mustBe(`${owner}: jitter`, `one of ${JITTERS.map(show).join(', ')}`, jitter);

  return (attempt, previousDelay, random) => {
    checkAttempt(owner, attempt, previousDelay);
    if (jitter === 'decorrelated') {
      // Stryker disable next-line EqualityOperator: `<=` is equivalent, at previousDelay === initialDelay both branches give initialDelay
      const previous = attempt === 1 || previousDelay < initialDelay ? initialDelay : previousDelay;
      // A huge previous delay (a server's Retry-After) must not make 0 * Infinity = NaN.
      const span = Math.min(3 * previous - initialDelay, Number.MAX_VALUE);
      return capDelay(Math.min(maxDelay, initialDelay + draw(owner, random) * span));
    }
    // The un-jittered delay; `factor ** (attempt - 1)` may overflow to Infinity, which the cap absorbs.
    // Stryker disable next-line ConditionalExpression: equivalent, without the guard 0 * factor^n is 0, or NaN once it overflows, which capDelay() makes 0
    const d = initialDelay === 0 ? 0 : Math.min(maxDelay, initialDelay * factor ** (attempt - 1));
    // 'equal': min(), because with subnormal delays d / 2 is rounded, and the sum could exceed d.
    return capDelay(
      jitter === 'none' ? d : jitter === 'full' ? draw(owner, random) * d : Math.min(d, d / 2 + draw(owner, random) * (d / 2)),
    );
  };
}
