import type { SchedulerLike } from 'rxjs';
import { InvalidOptionsError } from './errors';

/** @internal A value as it should appear in an error message: numbers (with `-0`), quoted strings, and the kind of anything else. */
export function show(value: unknown): string {
  return typeof value === 'number'
    ? Object.is(value, -0) ? '-0' : String(value)
    : typeof value === 'string'
      ? JSON.stringify(value)
      : typeof value === 'function'
        ? 'a function'
        : value === null
          ? 'null'
          : Array.isArray(value)
            ? 'an array'
            : typeof value === 'object' ? 'an object' : String(value);
}

/**
 * @internal The one shape of an option error: `${what} must be ${expected}, got ${show(value)}`.
 * `what` names the owner and the option (`reconnect: maxAttempts`), `expected` says how to fix it.
 */
export function mustBe(what: string, expected: string, value: unknown): InvalidOptionsError {
  return new InvalidOptionsError(`${what} must be ${expected}, got ${show(value)}`);
}

/** @internal Whether a value is a non-null object (an array included). */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * @internal The one check of a scheduler option (connect(), reconnect(), the transports, createHeartbeat()): an rxjs
 * `SchedulerLike`, with `now()` and `schedule()`.
 */
export function checkScheduler(what: string, value: unknown): SchedulerLike {
  if (!(isObject(value) && typeof value['now'] === 'function' && typeof value['schedule'] === 'function')) {
    throw mustBe(what, 'an rxjs SchedulerLike (with now() and schedule()), such as asyncScheduler', value);
  }
  return value as unknown as SchedulerLike;
}

/** @internal The one check of a random source option (connect(), reconnect()): a function returning a number in [0, 1). */
export function checkRandom(what: string, value: unknown): () => number {
  if (typeof value !== 'function') throw mustBe(what, 'a function returning a number in [0, 1), such as Math.random', value);
  return value as () => number;
}
