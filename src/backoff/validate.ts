import { mustBe } from '../invalid';
import { checkDuration } from '../time';

/**
 * @internal Checks that `value` is a duration `>= 0` and at most `MAX_DELAY`
 * (or `Infinity` when `allowInfinity`), with {@link checkDuration}. Throws an
 * `InvalidOptionsError` naming the owner, the option and the value otherwise.
 */
export function checkDelay(owner: string, option: string, value: unknown, allowInfinity = false): number {
  return checkDuration(`${owner}: ${option}`, value, { zero: true, infinity: allowInfinity });
}

/** @internal Checks the arguments a strategy is called with. */
export function checkAttempt(owner: string, attempt: number, previousDelay: number): void {
  if (!Number.isInteger(attempt) || attempt < 1) throw mustBe(`${owner}: attempt`, 'an integer >= 1', attempt);
  if (!isFiniteDelay(previousDelay)) throw mustBe(`${owner}: previousDelay`, 'a finite number >= 0', previousDelay);
}

/** @internal Whether a value is a finite number `>= 0` (a delay a strategy may return or be given). */
export function isFiniteDelay(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value !== Infinity;
}

/** @internal Draws from a random source, checking that it kept its promise of a number in [0, 1]. */
export function draw(owner: string, random: () => number): number {
  const value = random();
  if (!(typeof value === 'number' && value >= 0 && value <= 1)) throw mustBe(`${owner}: the random source's draw`, 'a number in [0, 1)', value);
  return value;
}
