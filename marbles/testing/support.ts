import type { Context } from 'rxjs-marbles/mocha';
import { openEvent } from '../../src/testing/transport-events';

/** The URL the TestTransport specs open. */
export const URL = 'ws://example.test/feed';

/** The open event, for marble values. */
export const o = openEvent();

/** Runs `work` at virtual time `time` (scheduled now, so it runs before steps scheduled later for the same time). */
export function at(m: Context, time: number, work: () => void): void {
  m.scheduler.schedule(work, time);
}

/** What `work` throws; fails the spec when it does not throw. */
export function thrown(work: () => void): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
