import {
  MonoTypeOperatorFunction,
  Observable,
  ObservableInput,
  Observer,
  SchedulerLike,
  Subscriber,
  Subscription,
  asyncScheduler,
  defer,
  of,
  retry,
  throwError,
  timer,
} from 'rxjs';
import { BackoffStrategy, RandomSource } from '../backoff/backoff';
import { exponentialBackoff } from '../backoff/exponential-backoff';
import { draw, isFiniteDelay } from '../backoff/validate';
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
import { checkRandom, checkScheduler, isObject, mustBe, show } from '../invalid';
import { capDelay, checkDuration } from '../time';

/** One scheduled reconnect attempt, as `onAttempt` is told of it before the wait starts. */
export interface ReconnectAttempt {
  /** The attempt number within the current outage: 1 for the first reconnect. */
  readonly attempt: number;
  /** How long `reconnect` waits before resubscribing, in whole milliseconds (rounded up; at most `MAX_DELAY`). */
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
   * Ends a pending wait early: each value it emits while `reconnect` waits
   * before an attempt starts that attempt at once (for example when the
   * network comes back: `online()`, or the page becomes visible: `visible()`).
   * It is subscribed only during a wait, so values at any other time (while
   * connected, or connecting) change nothing. Give it a stream of events: one
   * that replays a value on subscribe (a `BehaviorSubject`, `startWith`) ends
   * every wait at once. An error of it ends the result with that error.
   * @default undefined (every wait runs its full delay)
   */
  readonly retryOn?: Observable<unknown>;
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
  readonly retryOn: Observable<unknown> | undefined;
  readonly scheduler: SchedulerLike;
  readonly random: RandomSource;
}

const OWNER = 'reconnect: ';

/** The default strategy, shared: strategies are pure. */
const DEFAULT_BACKOFF: BackoffStrategy = /* @__PURE__ */ exponentialBackoff();

const retryByDefault = (error: unknown): boolean => defaultClosePolicy(error) === 'retry';
const nobody = (): void => undefined;
const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === 'function';

/** A check of one option: throws an `InvalidOptionsError` naming it when `value` fails. */
type Check = (name: string, value: unknown) => void;

/** A check that `value` passes `test`, or says what it must be. */
const must =
  (test: (value: unknown) => boolean, expected: string): Check =>
  (name, value) => {
    if (!test(value)) throw mustBe(name, expected, value);
  };

/** A duration of `reconnect`: 0 to `MAX_DELAY`, or `Infinity`. */
const duration: Check = (name, value) => void checkDuration(name, value, { zero: true, infinity: true });

/** The default floors (no closure per socket). */
const defaultFloorOf = (error: unknown): RetryFloor | undefined => retryFloorOf(error);

/**
 * Normalises `reconnect`'s argument (a count or a config) once: applies every
 * default and checks every option.
 * @throws InvalidOptionsError naming the option and its value.
 */
export function resolveReconnectConfig(configOrCount?: number | ReconnectConfig): ResolvedReconnectConfig {
  const config: unknown = typeof configOrCount === 'number' ? { maxAttempts: configOrCount } : configOrCount === undefined ? {} : configOrCount;
  if (!isObject(config)) throw mustBe(`${OWNER}the argument`, 'a count or a config object', configOrCount);
  // Each option once: its default and its check (a default always passes). `policy` is checked by `closePolicy`.
  const options: readonly (readonly [keyof ReconnectConfig, unknown, Check])[] = [
    ['backoff', DEFAULT_BACKOFF, must(isFunction, 'a function (attempt, previousDelay, random) => delay')],
    ['maxAttempts', Infinity, must((value) => value === Infinity || (Number.isInteger(value) && (value as number) >= 0), 'an integer >= 0 or Infinity')],
    ['maxElapsed', Infinity, duration],
    ['resetAfter', 5000, duration],
    ['shouldReconnect', undefined, must(isFunction, 'a function (error, attempt) => boolean')],
    ['respectRetryAfter', true, must((value) => typeof value === 'boolean', 'true or false')],
    ['onAttempt', nobody, must((value) => isFunction(value) || (isObject(value) && (value['next'] === undefined || isFunction(value['next']))), 'a function or an Observer')],
    ['retryOn', undefined, must((value) => isObject(value) && isFunction(value['subscribe']), 'an Observable')],
    ['scheduler', asyncScheduler, checkScheduler],
    ['random', Math.random, checkRandom],
  ];
  const resolved: Record<string, unknown> = {};
  for (const [option, fallback, check] of options) {
    const value = config[option];
    if (value !== undefined) check(OWNER + option, value);
    resolved[option] = value === undefined ? fallback : value;
  }

  const { shouldReconnect, policy, onAttempt } = config as ReconnectConfig;
  let decide: ResolvedReconnectConfig['shouldReconnect'] = retryByDefault;
  if (shouldReconnect !== undefined) {
    if (policy !== undefined) throw new InvalidOptionsError(`${OWNER}give either shouldReconnect or policy, not both`);
    decide = shouldReconnect;
  } else if (policy !== undefined) {
    const decideAction = isFunction(policy) ? policy : closePolicy(policy);
    decide = (error) => decideAction(error) === 'retry';
  }
  const floors = isObject(policy) ? (policy as ClosePolicyConfig).floors : undefined;
  return {
    ...(resolved as unknown as ResolvedReconnectConfig),
    shouldReconnect: decide,
    floorOf: floors === undefined ? defaultFloorOf : (error) => retryFloorOf(error, floors),
    onAttempt: onAttempt === undefined || isFunction(onAttempt) ? (resolved['onAttempt'] as ResolvedReconnectConfig['onAttempt']) : (attempt) => onAttempt.next?.(attempt),
  };
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
  const { backoff, maxAttempts, maxElapsed, resetAfter, shouldReconnect, floorOf, respectRetryAfter, onAttempt, retryOn, scheduler, random } = config;

  return (source) =>
    defer(() => {
      // The state of one subscriber's reconnect loop.
      let attempt = 0;
      let previousDelay = 0;
      let outageStart = 0;

      const delayBeforeNext = (error: unknown): ObservableInput<unknown> => {
        const now = scheduler.now();
        const firstValueAt = loop.at;
        if (firstValueAt !== undefined && now - firstValueAt >= resetAfter) attempt = 0;
        if (attempt === 0) {
          previousDelay = 0;
          outageStart = now;
        }
        attempt += 1;
        const decision: unknown = attempt <= maxAttempts && shouldReconnect(error, attempt);
        if (typeof decision !== 'boolean') {
          throw new InvalidOptionsError(`${OWNER}shouldReconnect must return true or false, returned ${show(decision)}`);
        }
        if (!decision) return throwError(() => error);
        let delay = backoff(attempt, previousDelay, random);
        if (!isFiniteDelay(delay)) {
          throw new InvalidOptionsError(`${OWNER}backoff must return a finite number >= 0, returned ${show(delay)} for attempt ${attempt}`);
        }
        // The least wait of the close code (min + random() * jitter; no draw when jitter is 0).
        const floor = floorOf(error);
        const jitter = floor?.jitter ?? 0;
        if (floor) delay = Math.max(delay, capDelay(floor.min + (jitter > 0 ? draw('reconnect', random) * jitter : 0)));
        const hint = respectRetryAfter ? retryAfterOf(error, now) : undefined;
        // Past 2^31 - 1 ms a timer fires after 1 ms: a huge hint or backoff waits the longest a timer can.
        delay = capDelay(hint !== undefined && hint > delay ? hint : delay);
        if (now + delay - outageStart > maxElapsed) return throwError(() => error);

        previousDelay = delay;
        onAttempt({ attempt, delay, error });
        return delay === 0 ? of(0) : retryOn === undefined ? timer(delay, scheduler) : new Wait(delay, scheduler, retryOn);
      };

      const loop: FirstValue = { at: undefined };
      const watched = new Observable<T>((subscriber) => {
        loop.at = undefined;
        return source.subscribe(new WatchFirstValue(subscriber, loop, scheduler));
      });
      return watched.pipe(retry({ delay: delayBeforeNext }));
    });
}

/** A wait before an attempt: `delay` on the scheduler, or less when `retryOn` emits first. */
class Wait extends Observable<void> {
  constructor(
    readonly delay: number,
    readonly scheduler: SchedulerLike,
    readonly retryOn: Observable<unknown>,
  ) {
    super(subscribeWait);
  }
}

function subscribeWait(this: Observable<void>, subscriber: Subscriber<void>): Subscription {
  const { delay, scheduler, retryOn } = this as Wait;
  const go = (): void => {
    subscriber.next();
    subscriber.complete();
  };
  const subscription = scheduler.schedule(go, delay);
  subscription.add(retryOn.subscribe({ next: go, error: (error: unknown) => subscriber.error(error) }));
  return subscription;
}

/** When the current subscription of a reconnect loop emitted its first value (`undefined` before it has). */
interface FirstValue {
  at: number | undefined;
}

/** Passes everything on and notes the time of the first value: a class, so a subscription carries no closures for it. */
class WatchFirstValue<T> implements Observer<T> {
  constructor(
    private readonly destination: Subscriber<T>,
    private readonly first: FirstValue,
    private readonly scheduler: SchedulerLike,
  ) {}
  next(value: T): void {
    if (this.first.at === undefined) this.first.at = this.scheduler.now();
    this.destination.next(value);
  }
  error(error: unknown): void {
    this.destination.error(error);
  }
  complete(): void {
    this.destination.complete();
  }
}
