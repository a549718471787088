import { expect } from 'chai';
import { InvalidOptionsError } from '../../src/errors';

/** The message of the InvalidOptionsError that `fn` throws (the test fails if it throws anything else, or nothing). */
export function invalidOptionsMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidOptionsError);
    return (error as InvalidOptionsError).message;
  }
  expect.fail('expected an InvalidOptionsError');
}
