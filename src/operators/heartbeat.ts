import { asyncScheduler, Observable } from 'rxjs';
import type { MonoTypeOperatorFunction, SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { HeartbeatTimeoutError, InvalidOptionsError } from '../errors';

/** The interval between pings the client uses when none is given, in milliseconds. */
export const DEFAULT_HEARTBEAT_INTERVAL = 30_000;
/** How long the client waits for a sign of life after a ping when none is given, in milliseconds. */
export const DEFAULT_HEARTBEAT_TIMEOUT = 10_000;

/** The configuration of {@link createHeartbeat}: the timer core that the client and {@link heartbeat} share. */
export interface HeartbeatTimerConfig {
  /** Milliseconds between pings; the first ping is sent `interval` after `start()`. Finite, above 0. */
  readonly interval: number;
  /** Milliseconds after a ping within which a sign of life must arrive. Finite, above 0. */
  readonly timeout: number;
  /** Where every delay is scheduled. */
  readonly scheduler: SchedulerLike;
  /** Sends one ping. May throw: the error goes to `onError` and the heartbeat goes on (call `stop()` there to end it). */
  readonly ping: () => void;
  /** Called once, with a {@link HeartbeatTimeoutError}, when a deadline passes without a sign of life; the heartbeat has stopped by then. */
  readonly onTimeout: (error: HeartbeatTimeoutError) => void;
  /**
   * Called with the round-trip time of a ping (milliseconds from the ping to the first pong after it).
   * @default none
   */
  readonly onRtt?: (rtt: number) => void;
  /**
   * Called with what `ping` or `onRtt` threw.
   * @default rethrow, from the scheduler's action (an unhandled error)
   */
  readonly onError?: (error: unknown) => void;
}

/** A heartbeat timer: sends pings on a period and watches for signs of life. Create one with {@link createHeartbeat}. */
export interface HeartbeatTimer {
  /** Starts the period: the first ping goes out `interval` after this call. No-op while running; allowed again after `stop()`. */
  start(): void;
  /** Records a sign of life (any inbound frame). O(1): a single field write, safe to call per frame. */
  alive(): void;
  /** Records a pong: a sign of life that also reports the round-trip time of the last ping (once per ping). */
  pong(): void;
  /** Cancels every pending ping and deadline. Idempotent. */
  stop(): void;
  /** Whether the timer is running (started, not stopped, not timed out). */
  readonly running: boolean;
}

function checkDelay(option: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionsError(`heartbeat ${option} must be a finite number of milliseconds above 0, got ${String(value)}`);
  }
}

function checkFunction(option: string, value: unknown, optional: boolean): void {
  if (typeof value === 'function' || (optional && value === undefined)) return;
  throw new InvalidOptionsError(`heartbeat ${option} must be a function, got ${value === null ? 'null' : typeof value}`);
}

/**
 * The heartbeat core: every `interval` ms after `start()` it calls `ping()`
 * and arms a deadline `timeout` ms later. Any sign of life (`alive()` or
 * `pong()`) between a ping and its deadline keeps the connection alive; when
 * a deadline passes without one, the timer stops and calls `onTimeout`.
 *
 * All time goes through `scheduler`. Pings are periodic: they do not wait for
 * the previous deadline, so a `timeout` longer than `interval` tolerates missed
 * pongs (the oldest unanswered ping is the one watched).
 *
 * ```text
 * start    ─────────p─────────p─────────p───X   interval 10, timeout 4
 * alive()  ──────────a─────────────a──────      p: ping, X: onTimeout at 30 + 4
 * ```
 *
 * @throws InvalidOptionsError when `interval` or `timeout` is not a finite number above 0, or a callback is missing.
 * @example
 * ```ts
 * const timer = createHeartbeat({
 *   interval: 30_000,
 *   timeout: 10_000,
 *   scheduler: asyncScheduler,
 *   ping: () => conn.frames.next(pingFrame()),
 *   onTimeout: (error) => conn.frames.error(error),
 * });
 * timer.start(); // on open; then timer.alive() per frame, timer.pong() per pong, timer.stop() on close
 * ```
 */
export function createHeartbeat(config: HeartbeatTimerConfig): HeartbeatTimer {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidOptionsError(`heartbeat config must be an object, got ${config === null ? 'null' : typeof config}`);
  }
  const { interval, timeout, scheduler, ping, onTimeout, onRtt, onError } = config;
  checkDelay('interval', interval);
  checkDelay('timeout', timeout);
  if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.schedule !== 'function') {
    throw new InvalidOptionsError('heartbeat scheduler must be a SchedulerLike');
  }
  checkFunction('ping', ping, false);
  checkFunction('onTimeout', onTimeout, false);
  checkFunction('onRtt', onRtt, true);
  checkFunction('onError', onError, true);

  let running = false;
  let pingTask: Subscription | null = null;
  let deadlineTask: Subscription | null = null;
  /** Pings sent since start. */
  let pings = 0;
  /** The value of `pings` at the last sign of life: every ping up to it is answered. */
  let answered = 0;
  /** The ping the armed deadline watches. */
  let watched = 0;
  let lastPingAt = 0;
  let rttPending = false;

  const report = (error: unknown): void => {
    if (onError) onError(error);
    else throw error;
  };

  const stop = (): void => {
    running = false;
    rttPending = false;
    if (pingTask) {
      pingTask.unsubscribe();
      pingTask = null;
    }
    if (deadlineTask) {
      deadlineTask.unsubscribe();
      deadlineTask = null;
    }
  };

  const arm = (ping: number, delay: number): void => {
    watched = ping;
    deadlineTask = scheduler.schedule(checkDeadline, delay);
  };

  function checkDeadline(): void {
    deadlineTask = null;
    if (!running) return;
    if (answered < watched) {
      stop();
      onTimeout(new HeartbeatTimeoutError(timeout));
      return;
    }
    if (answered < pings) {
      // Only when timeout >= interval: pings after the last sign of life still wait; watch the oldest one.
      const oldest = answered + 1;
      const sentAt = lastPingAt - (pings - oldest) * interval;
      arm(oldest, Math.max(0, sentAt + timeout - scheduler.now()));
    }
  }

  function sendPing(this: SchedulerAction<undefined>): void {
    if (!running) return;
    this.schedule(undefined, interval);
    pings++;
    lastPingAt = scheduler.now();
    rttPending = true;
    if (deadlineTask === null) arm(pings, timeout);
    try {
      ping();
    } catch (error) {
      report(error);
    }
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      pings = 0;
      answered = 0;
      rttPending = false;
      pingTask = scheduler.schedule(sendPing, interval);
    },
    alive(): void {
      answered = pings;
    },
    pong(): void {
      answered = pings;
      if (rttPending) {
        rttPending = false;
        if (onRtt) {
          try {
            onRtt(scheduler.now() - lastPingAt);
          } catch (error) {
            report(error);
          }
        }
      }
    },
    stop,
    get running(): boolean {
      return running;
    },
  };
}

/** The configuration of the {@link heartbeat} operator. */
export interface HeartbeatConfig<T> {
  /**
   * Milliseconds between pings; the first goes out `interval` after the source's first value.
   * @default 30000
   */
  readonly interval?: number;
  /**
   * Milliseconds after a ping within which some value must arrive, or the output errors with {@link HeartbeatTimeoutError}.
   * @default 10000
   */
  readonly timeout?: number;
  /** Sends one ping. What it throws becomes the output's error. */
  readonly ping: () => void;
  /**
   * Whether a value is a pong; pongs report the round-trip time to `onRtt`. Every value counts as a sign of life either way.
   * What it throws becomes the output's error.
   * @default no value is a pong (no RTT is reported)
   */
  readonly isPong?: (value: T) => boolean;
  /**
   * Where the pings and deadlines are scheduled.
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
  /**
   * Called with each ping's round-trip time in milliseconds. What it throws becomes the output's error.
   * @default none
   */
  readonly onRtt?: (rtt: number) => void;
}

/**
 * Keeps a connection honest: from the source's first value (for example a
 * transport's `open` event) it calls `ping()` every `interval` ms, and errors
 * the output with {@link HeartbeatTimeoutError} (unsubscribing the source)
 * when no value arrives within `timeout` ms of a ping. Every value is a sign of
 * life and passes through unchanged; values for which `isPong` is true also
 * report the round-trip time to `onRtt`.
 *
 * ```text
 * source  ─o─────────────f─────────────────────   interval 10, timeout 4
 * pings   ───────────p─────────p─────────────     (at 11 and 21)
 * output  ─o─────────────f───────────#             (# HeartbeatTimeoutError at 21 + 4)
 * ```
 *
 * @throws InvalidOptionsError (when called) for an interval or timeout that is not a finite number above 0, or a missing `ping`.
 * @example
 * ```ts
 * const conn = transport.open({ url: 'wss://example.com/feed' });
 * conn.events
 *   .pipe(
 *     heartbeat({
 *       interval: 30_000,
 *       timeout: 10_000,
 *       ping: () => conn.frames.next(pingFrame()),
 *       isPong: (e) => e.type === 'frame' && e.frame.type === 'pong',
 *       onRtt: (rtt) => console.log(`rtt ${rtt} ms`),
 *     }),
 *     reconnect(),
 *   )
 *   .subscribe(console.log);
 * ```
 */
export function heartbeat<T>(config: HeartbeatConfig<T>): MonoTypeOperatorFunction<T> {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidOptionsError(`heartbeat config must be an object, got ${config === null ? 'null' : typeof config}`);
  }
  const {
    interval = DEFAULT_HEARTBEAT_INTERVAL,
    timeout = DEFAULT_HEARTBEAT_TIMEOUT,
    ping,
    isPong,
    scheduler = asyncScheduler,
    onRtt,
  } = config;
  checkDelay('interval', interval);
  checkDelay('timeout', timeout);
  checkFunction('ping', ping, false);
  checkFunction('isPong', isPong, true);
  checkFunction('onRtt', onRtt, true);

  return (source) =>
    new Observable<T>((subscriber) => {
      const fail = (error: unknown): void => subscriber.error(error);
      const timer = createHeartbeat({ interval, timeout, scheduler, ping, onTimeout: fail, onError: fail, onRtt });
      subscriber.add(timer.stop);
      let started = false;
      subscriber.add(
        source.subscribe({
          next(value) {
            if (!started) {
              started = true;
              timer.start();
            } else if (isPong) {
              let pong: boolean;
              try {
                pong = isPong(value);
              } catch (error) {
                subscriber.error(error);
                return;
              }
              if (pong) timer.pong();
              else timer.alive();
            } else {
              timer.alive();
            }
            subscriber.next(value);
          },
          error(error) {
            timer.stop();
            subscriber.error(error);
          },
          complete() {
            timer.stop();
            subscriber.complete();
          },
        }),
      );
    });
}
