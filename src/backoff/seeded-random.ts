import { mustBe } from '../invalid';
import { RandomSource } from './backoff';

/**
 * A small, fast, seeded pseudo-random source (mulberry32): the same seed
 * always gives the same sequence of numbers in `[0, 1)`. Pass it as
 * `reconnect({ random })` or `connect(url, { random })` to make jittered
 * backoff reproducible in tests and simulations.
 *
 * Not cryptographically secure; use it for jitter and tests only.
 *
 * @param seed Any finite number; it is reduced to a 32-bit unsigned integer.
 * @throws InvalidOptionsError when `seed` is NaN or not finite.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const backoff = exponentialBackoff();
 * backoff(1, 0, random); // the same delay on every run
 * ```
 */
export function seededRandom(seed: number): RandomSource {
  if (!Number.isFinite(seed)) throw mustBe('seededRandom: seed', 'a finite number', seed);
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
