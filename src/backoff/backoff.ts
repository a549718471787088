/**
 * A source of uniformly distributed numbers in `[0, 1)`, like `Math.random`.
 * Inject one (for example {@link seededRandom}) to make jittered delays
 * reproducible.
 */
export type RandomSource = () => number;

/**
 * A backoff strategy: the delay in milliseconds before reconnect attempt
 * `attempt` (1 for the first reconnect after a failure).
 *
 * A strategy is a pure function of its arguments: the same attempt, previous
 * delay and random sequence always give the same delay. `previousDelay` is the
 * delay that was waited before the previous attempt (0 for attempt 1).
 * Strategies draw randomness only from `random`, never from `Math.random`.
 *
 * Any function of this shape is a strategy, so a user's own formula plugs
 * into `reconnect({ backoff })` as it is. It must return a finite number
 * `>= 0`; `reconnect` raises an `InvalidOptionsError` otherwise, rounds a
 * fractional delay up to whole milliseconds, and caps a delay above
 * `MAX_DELAY` (2^31 - 1 ms, the longest a timer can wait) at it.
 *
 * @example
 * ```ts
 * // Two quick retries, then every 10 s, with ±10 % jitter.
 * const backoff: BackoffStrategy = (attempt, _previous, random) =>
 *   attempt <= 2 ? 100 : 9_000 + random() * 2_000;
 * ```
 */
export type BackoffStrategy = (attempt: number, previousDelay: number, random: RandomSource) => number;
