import { mustBe } from './invalid';

/**
 * The longest delay rxnova schedules, in milliseconds: 2^31 - 1 (about 24.8
 * days). Node and browsers run a timer set above it after 1 ms, so every
 * computed delay (backoff, `Retry-After`, TTL, timeouts) is capped at this
 * value, and a user-given duration above it is refused.
 */
export const MAX_DELAY = 2_147_483_647;

/**
 * @internal A computed delay made safe to schedule: whole milliseconds, at
 * most {@link MAX_DELAY}, never negative or NaN.
 *
 * Every computed delay (each backoff strategy's result, the reconnect delay
 * after a close code's floor and `Retry-After`, and so `state$` and the
 * `reconnect-scheduled` event, timers, heartbeat wake-ups) passes through
 * here, so this is the one place delays become whole milliseconds: a log says
 * "reconnecting in 686 ms", never "685.6241799682424 ms". Timers only count
 * whole milliseconds anyway. Rounded UP, because every delay is a promise of
 * "at least" (a close code's floor, `Retry-After`, `'equal'` jitter's half, a
 * heartbeat's due time): rounding down could fire a timer before its due time,
 * or turn a tiny positive wait into a synchronous 0. An integer bound
 * (`maxDelay`, `MAX_DELAY`) is never exceeded.
 */
export function capDelay(ms: number): number {
  return ms > MAX_DELAY ? MAX_DELAY : ms > 0 ? Math.ceil(ms) : 0;
}

/** What a user-given duration may be. */
export interface DurationRule {
  /** 0 is allowed (it usually disables the timer). @default false */
  readonly zero?: boolean;
  /** `Infinity` is allowed (no limit, no timer is scheduled). @default false */
  readonly infinity?: boolean;
}

/**
 * @internal Checks a user-given duration in milliseconds: a number, not NaN,
 * above 0 (or 0 when `rule.zero`), at most {@link MAX_DELAY} (or `Infinity`
 * when `rule.infinity`). Throws an `InvalidOptionsError` that names the option
 * and the value otherwise.
 */
export function checkDuration(name: string, value: unknown, rule: DurationRule = {}): number {
  const { zero, infinity } = rule;
  if (!(typeof value === 'number' && (value > 0 || (zero && value === 0)) && (value <= MAX_DELAY || (infinity && value === Infinity)))) {
    throw mustBe(name, `a number of milliseconds, ${zero ? '0 or more' : 'above 0'} and at most ${MAX_DELAY}${infinity ? ', or Infinity' : ''}`, value);
  }
  return value;
}
