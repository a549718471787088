// Helpers shared by the reconnect, backoff and close-policy marble specs.
import { RandomSource } from '../../src/backoff/backoff';
import { ConnectionClosedError } from '../../src/errors';

/**
 * A random source that returns `values` in order and fails the test if a
 * strategy draws more than that (so a strategy that should not draw, or draws
 * twice per attempt, is caught).
 */
export function randomSequence(...values: number[]): RandomSource {
  let index = 0;
  return () => {
    if (index >= values.length) throw new Error(`randomSequence: drawn ${index + 1} times, only ${values.length} values given`);
    return values[index++] as number;
  };
}

/** The connection dropped (1006, no close frame): retried by the default policy. */
export function dropped(reason = ''): ConnectionClosedError {
  return new ConnectionClosedError(1006, reason, false);
}
