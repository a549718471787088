import { InvalidOptionsError } from '../errors';
import { checkDuration } from '../time';

/**
 * @internal Checks that `value` is a duration `>= 0` and at most `MAX_DELAY`
 * (or `Infinity` when `allowInfinity`), with {@link checkDuration}. Throws an
 * {@link InvalidOptionsError} naming the owner, the option and the value otherwise.
 */
export function checkDelay(owner: string, option: string, value: unknown, allowInfinity = false): number {
  return checkDuration(`${owner}: ${option}`, value, { zero: true, infinity: allowInfinity });
}

/** @internal Checks the arguments a strategy is called with. */
export function checkAttempt(owner: string, attempt: number, previousDelay: number): void {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new InvalidOptionsError(`${owner}: attempt must be an integer >= 1, got ${show(attempt)}`);
  }
  if (typeof previousDelay !== 'number' || !(previousDelay >= 0) || previousDelay === Infinity) {
    throw new InvalidOptionsError(`${owner}: previousDelay must be a finite number >= 0, got ${show(previousDelay)}`);
  }
}

/** @internal Draws from a random source, checking that it kept its promise of a number in [0, 1]. */
export function draw(owner: string, random: () => number): number {
  const value = random();
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidOptionsError(`${owner}: the random source must return a number in [0, 1), got ${show(value)}`);
  }
  return value;
}

/** @internal A value as it should appear in an error message. */
export function show(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}
