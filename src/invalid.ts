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
