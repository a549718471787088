import {
  MonoTypeOperatorFunction,
  Observable,
  ObservableInput,
  Observer,
  SchedulerLike,
  asyncScheduler,
  defer,
  of,
  retry,
  throwError,
  timer,
} from 'rxjs';
import { BackoffStrategy, RandomSource } from '../backoff/backoff';
import { exponentialBackoff } from '../backoff/exponential-backoff';
import { checkDelay, draw, show } from '../backoff/validate';
import {
  ClosePolicy,
  ClosePolicyConfig,
  RetryFloor,
  closePolicy,
  defaultClosePolicy,
  retryAfterOf,
  retryFloorOf,
} from '../close-codes';
import { InvalidOptionsError } from '../errors';
import { capDelay } from '../time';

/** One scheduled reconnect attempt, as `onAttempt` is told of it before the wait starts. */
export interface ReconnectAttempt {
  /** The attempt number within the current outage: 1 for the first reconnect. */
  readonly attempt: number;
  /** How long `reconnect` waits before resubscribing, in milliseconds (at most `MAX_DELAY`). */
  readonly delay: number;
  /** The error that ended the previous subscription. */
  readonly error: unknown;
}

/** The options of {@link reconnect}. */
export interface ReconnectConfig {
  /**
   * The delay before each attempt: a {@link BackoffStrategy} of the attempt
   * number, the previous delay (the one actually waited, so a server's
   * `Retry-After` counts) and the random source.
   * @default exponentialBackoff() (full jitter, 1 s doubling up to 30 s)
   */
  readonly backoff?: BackoffStrategy;
  /**
   * The most reconnect attempts in one outage (an integer `>= 0`, or
   * `Infinity`). When the next attempt would exceed it, `reconnect` rethrows
   * the error. `reconnect(n)` is a shorthand for `reconnect({ maxAttempts: n })`.
   * @default Infinity
   */
  readonly maxAttempts?: number;
  /**
   * The time budget of one outage, in milliseconds, counted from its first
   * failure. An attempt is made only if it starts within the budget: when
   * `now + delay - outageStart > maxElapsed`, `reconnect` gives up at once
   * (at the failure, not at the end of the budget) and rethrows the error.
   * At most `MAX_DELAY`, or `Infinity` (no budget).
   * @default Infinity
   */
  readonly maxElapsed?: number;
  /**
   * How long a resubscription must stay alive after its first value, without
   * failing, for the outage to be over: the next failure then starts again
   * from attempt 1, previous delay 0 and a fresh `maxElapsed` budget. A
   * connection that emits and fails sooner (a flapping one) keeps the growing
   * delays. 0 resets on any value; `Infinity` never resets. Measured with
   * `scheduler.now()` at the first value and at the failure; no timer runs.
   * At most `MAX_DELAY`, or `Infinity`.
   * @default 5000
   */
  readonly resetAfter?: number;
  /**
   * Decides whether an error is worth a reconnect. Must return `true` or
   * `false`. Cannot be combined with `policy`.
   * @default (error) => defaultClosePolicy(error) === 'retry' (see `closePolicy` and README's close policy table)
   */
  readonly shouldReconnect?: (error: unknown, attempt: number) => boolean;
  /**
   * A close policy, or overrides of the default one, deciding which errors are
   * reconnected: a shorthand for `shouldReconnect: (e) => closePolicy(policy)(e) === 'retry'`.
   * Cannot be combined with `shouldReconnect`. As a config object it also
   * sets the least waits per close code (`floors`, see `ClosePolicyConfig`);
   * otherwise the default floors apply (1013: 5-7.5 s, 1012: 50-150 ms).
   * @default the default close policy
   */
  readonly policy?: ClosePolicyConfig | ClosePolicy;
  /**
   * Whether a server's `Retry-After` (a `HandshakeError` 429 or 503 with that
   * header) raises the delay of that attempt: `delay = max(backoff, retryAfter)`.
   * The hint wins over the backoff's `maxDelay`, but not over `maxElapsed`;
   * a hint above `MAX_DELAY` (2^31 - 1 ms, about 24.8 days) waits `MAX_DELAY`.
   * @default true
   */
  readonly respectRetryAfter?: boolean;
  /**
   * Told of each scheduled attempt (`{ attempt, delay, error }`) before the
   * wait starts, so a UI can say "reconnecting in 4 s". A callback, or an
   * Observer of which only `next` is called (it is never completed or
   * errored, so one Subject can serve several connections). If it throws, the
   * error ends the resulting Observable.
   * @default undefined (nobody is told)
   */
  readonly onAttempt?: ((attempt: ReconnectAttempt) => void) | Partial<Observer<ReconnectAttempt>>;
  /**
   * The scheduler that times the waits and tells the time.
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
  /**
   * The random source handed to `backoff`, for jitter.
   * @default Math.random
   */
  readonly random?: RandomSource;
}

/** A {@link ReconnectConfig} with every default applied and every option checked. */
export interface ResolvedReconnectConfig {
  readonly backoff: BackoffStrategy;
  readonly maxAttempts: number;
  readonly maxElapsed: number;
  readonly resetAfter: number;
  readonly shouldReconnect: (error: unknown, attempt: number) => boolean;
  /** The least wait for an error (its close code's floor), or `undefined`. */
  readonly floorOf: (error: unknown) => RetryFloor | undefined;
  readonly respectRetryAfter: boolean;
  readonly onAttempt: (attempt: ReconnectAttempt) => void;
  readonly scheduler: SchedulerLike;
  readonly random: RandomSource;
}

const OWNER = 'reconnect';

/** The default strategy, shared: strategies are pure. */
const DEFAULT_BACKOFF: BackoffStrategy = /* @__PURE__ */ exponentialBackoff();

const retryByDefault = (error: unknown): boolean => defaultClosePolicy(error) === 'retry';
const nobody = (): void => undefined;

/**
 * @internal The decision whether to reconnect, from `shouldReconnect` or `policy` (at most one of them).
 * @throws InvalidOptionsError when both are given, or `shouldReconnect` is not a function.
 */
export function reconnectDecision(
  shouldReconnect: ReconnectConfig['shouldReconnect'],
  policy: ReconnectConfig['policy'],
): (error: unknown, attempt: number) => boolean {
  if (shouldReconnect !== undefined && policy !== undefined) {
    throw new InvalidOptionsError(`${OWNER}: give either shouldReconnect or policy, not both`);
  }
  if (shouldReconnect !== undefined) {
    if (typeof shouldReconnect !== 'function') {
      throw new InvalidOptionsError(`${OWNER}: shouldReconnect must be a function (error, attempt) => boolean, got ${show(shouldReconnect)}`);
    }
    return shouldReconnect;
  }
  if (policy === undefined) return retryByDefault;
  const decideAction = typeof policy === 'function' ? policy : closePolicy(policy);
  return (error) => decideAction(error) === 'retry';
}

/**
 * Normalises `reconnect`'s argument (a count or a config) once: applies every
 * default and checks every option.
 * @throws InvalidOptionsError naming the option and its value.
 */
export function resolveReconnectConfig(configOrCount?: number | ReconnectConfig): ResolvedReconnectConfig {
  let config: ReconnectConfig;
  if (configOrCount === undefined) config = {};
  else if (typeof configOrCount === 'number') config = { maxAttempts: configOrCount };
  else if (typeof configOrCount === 'object' && configOrCount !== null) config = configOrCount;
  else {
    throw new InvalidOptionsError(`${OWNER}: expected a count or a config object, got ${show(configOrCount)}`);
  }
  const {
    backoff = DEFAULT_BACKOFF,
    maxAttempts = Infinity,
    maxElapsed = Infinity,
    resetAfter = 5000,
    shouldReconnect,
    policy,
    respectRetryAfter = true,
    onAttempt,
    scheduler = asyncScheduler,
    random = Math.random,
  } = config;

  if (typeof backoff !== 'function') {
    throw new InvalidOptionsError(`${OWNER}: backoff must be a function (attempt, previousDelay, random) => delay, got ${show(backoff)}`);
  }
  if (typeof maxAttempts !== 'number' || !(maxAttempts >= 0) || (maxAttempts !== Infinity && !Number.isInteger(maxAttempts))) {
    throw new InvalidOptionsError(`${OWNER}: maxAttempts must be an integer >= 0 or Infinity, got ${show(maxAttempts)}`);
  }
  checkDelay(OWNER, 'maxElapsed', maxElapsed, true);
  checkDelay(OWNER, 'resetAfter', resetAfter, true);
  if (typeof respectRetryAfter !== 'boolean') {
    throw new InvalidOptionsError(`${OWNER}: respectRetryAfter must be true or false, got ${show(respectRetryAfter)}`);
  }
  if (typeof random !== 'function') {
    throw new InvalidOptionsError(`${OWNER}: random must be a function returning a number in [0, 1), got ${show(random)}`);
  }
  if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.now !== 'function' || typeof scheduler.schedule !== 'function') {
    throw new InvalidOptionsError(`${OWNER}: scheduler must be a SchedulerLike (with now() and schedule()), got ${show(scheduler)}`);
  }

  const decide = reconnectDecision(shouldReconnect, policy);
  const floors = typeof policy === 'object' && policy !== null ? policy.floors : undefined;
  const floorOf = (error: unknown): RetryFloor | undefined => retryFloorOf(error, floors);

  let notify: (attempt: ReconnectAttempt) => void;
  if (onAttempt === undefined) notify = nobody;
  else if (typeof onAttempt === 'function') notify = onAttempt;
  else if (typeof onAttempt === 'object' && onAttempt !== null && (onAttempt.next === undefined || typeof onAttempt.next === 'function')) {
    const observer = onAttempt;
    notify = (attempt) => observer.next?.(attempt);
  } else {
    throw new InvalidOptionsError(`${OWNER}: onAttempt must be a function or an Observer, got ${show(onAttempt)}`);
  }

  return { backoff, maxAttempts, maxElapsed, resetAfter, shouldReconnect: decide, floorOf, respectRetryAfter, onAttempt: notify, scheduler, random };
}

/**
 * Resubscribes to the source when it errors with an error worth retrying,
 * after a backoff delay; rethrows the last error, unchanged, when it gives up.
 * Built on rxjs `retry({ delay })`.
 *
 * A WebSocket connection's `events` errors when the peer closes it or the
 * network drops, and each subscription opens a new socket, so
 * `connection.events.pipe(reconnect())` is a self-healing connection.
 *
 * On each error, in this order:
 * 1. If the previous subscription emitted and lived `resetAfter` ms after its
 *    first value, the outage is over: the attempt count, previous delay and
 *    `maxElapsed` budget start again.
 * 2. The attempt number grows by one. It gives up (rethrows) if it exceeds
 *    `maxAttempts`, or if `shouldReconnect(error, attempt)` says no (by default
 *    the close policy: 1008 Policy Violation, a TLS certificate error, an HTTP
 *    401 stop at once).
 * 3. `delay = backoff(attempt, previousDelay, random)`, raised to the floor
 *    of the close code if it has one (1013 Try Again Later: at least 5 s plus
 *    up to 2.5 s of jitter; 1012 Service Restart: 50-150 ms; see
 *    `DEFAULT_RETRY_FLOORS` and the policy's `floors`), then to the server's
 *    `Retry-After` if there is one, and capped at `MAX_DELAY` (2^31 - 1 ms).
 *    It gives up if the attempt would start more than `maxElapsed` ms after
 *    the outage began.
 * 4. `onAttempt({ attempt, delay, error })` is told, then it waits `delay` on
 *    the scheduler (a delay of 0 resubscribes synchronously) and resubscribes.
 *
 * Unsubscribing during a wait cancels the pending attempt. A callback
 * (`backoff`, `shouldReconnect`, `onAttempt`) that throws ends the result
 * with that error; a `backoff` returning a negative, NaN or infinite delay
 * ends it with an `InvalidOptionsError`.
 *
 * ```
 * source:     --a--#                           (each subscription; # is a ConnectionClosedError 1006)
 * reconnect({ backoff: constantBackoff(3), maxAttempts: 2 })
 * subscribed: ^----!
 *             --------^----!
 *             ----------------^----!
 * result:     --a-------a-------a--#           (the third error is rethrown as it is)
 * ```
 *
 * Takes a {@link ReconnectConfig}, or the `maxAttempts` alone.
 * @throws InvalidOptionsError (at once, not on subscription) when an option is invalid.
 *
 * @example
 * ```ts
 * const events$ = transport.open(request).events.pipe(
 *   reconnect({
 *     backoff: exponentialBackoff({ initialDelay: 500, maxDelay: 20_000 }),
 *     maxElapsed: 5 * 60_000, // give up after 5 minutes down
 *     onAttempt: ({ attempt, delay }) => console.log(`reconnecting in ${delay} ms (attempt ${attempt})`),
 *   }),
 * );
 * ```
 */
export function reconnect<T>(maxAttempts?: number): MonoTypeOperatorFunction<T>;
export function reconnect<T>(config: ReconnectConfig): MonoTypeOperatorFunction<T>;
export function reconnect<T>(configOrCount?: number | ReconnectConfig): MonoTypeOperatorFunction<T> {
  return reconnectWith<T>(resolveReconnectConfig(configOrCount));
}

/**
 * @internal `reconnect()` with a config already normalised by
 * {@link resolveReconnectConfig}: the client normalises once, in `connect()`,
 * and runs on that.
 */
export function reconnectWith<T>(config: ResolvedReconnectConfig): MonoTypeOperatorFunction<T> {
  const { backoff, maxAttempts, maxElapsed, resetAfter, shouldReconnect, floorOf, respectRetryAfter, onAttempt, scheduler, random } = config;
  const checkedRandom = (): number => draw(OWNER, random);

  return (source) =>
    defer(() => {
      // The state of one subscriber's reconnect loop.
      let attempt = 0;
      let previousDelay = 0;
      let outageStart = 0;
      let emitted = false;
      let firstValueAt = 0;

      const watched = new Observable<T>((subscriber) => {
        emitted = false;
        return source.subscribe({
          next: (value) => {
            if (!emitted) {
              emitted = true;
              firstValueAt = scheduler.now();
            }
            subscriber.next(value);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
      });

      const delayBeforeNext = (error: unknown): ObservableInput<unknown> => {
        const now = scheduler.now();
        if (emitted && now - firstValueAt >= resetAfter) attempt = 0;
        if (attempt === 0) {
          previousDelay = 0;
          outageStart = now;
        }
        attempt += 1;
        if (attempt > maxAttempts || !checkedDecision(shouldReconnect(error, attempt))) return throwError(() => error);

        let delay = backoff(attempt, previousDelay, random);
        if (typeof delay !== 'number' || !(delay >= 0) || delay === Infinity) {
          throw new InvalidOptionsError(
            `${OWNER}: backoff must return a finite number >= 0, returned ${show(delay)} for attempt ${attempt}`,
          );
        }
        const floor = floorOf(error);
        if (floor !== undefined) delay = Math.max(delay, floorDelay(floor, checkedRandom));
        if (respectRetryAfter) {
          const hint = retryAfterOf(error, now);
          if (hint !== undefined && hint > delay) delay = hint;
        }
        // Past 2^31 - 1 ms a timer fires after 1 ms: a huge hint or backoff waits the longest a timer can.
        delay = capDelay(delay);
        if (now + delay - outageStart > maxElapsed) return throwError(() => error);

        previousDelay = delay;
        onAttempt({ attempt, delay, error });
        return delay === 0 ? of(0) : timer(delay, scheduler);
      };

      return watched.pipe(retry({ delay: delayBeforeNext }));
    });
}

/** The least wait a floor asks for: `min + random() * jitter` (no draw when `jitter` is 0), capped at `MAX_DELAY`. */
function floorDelay(floor: RetryFloor, random: () => number): number {
  const jitter = floor.jitter ?? 0;
  return capDelay(jitter > 0 ? floor.min + random() * jitter : floor.min);
}

function checkedDecision(decision: unknown): boolean {
  if (typeof decision !== 'boolean') {
    throw new InvalidOptionsError(`${OWNER}: shouldReconnect must return true or false, returned ${show(decision)}`);
  }
  return decision;
}
