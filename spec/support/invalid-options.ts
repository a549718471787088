import { expect } from 'chai';
import { InvalidOptionsError } from '../../src/errors';

/** The message of the error of class `type` that `fn` throws (the test fails if it throws anything else, or nothing). */
export function errorMessage(type: abstract new (...args: never[]) => Error, fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return (error as Error).message;
  }
  expect.fail(`expected ${type.name}`);
}

/** The message of the InvalidOptionsError that `fn` throws (the test fails if it throws anything else, or nothing). */
export function invalidOptionsMessage(fn: () => unknown): string {
  return errorMessage(InvalidOptionsError, fn);
}

/** {@link invalidOptionsMessage} without the `rxnova: invalid options: ` prefix every such message has. */
export function invalidOptionsReason(fn: () => unknown): string {
  return invalidOptionsMessage(fn).replace(/^rxnova: invalid options: /, '');
}
