import { asyncScheduler, Observable } from 'rxjs';
import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { InvalidOptionsError } from '../errors';
import { checkDelay, checkFunction, createHeartbeat, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_TIMEOUT } from './create-heartbeat';

export { createHeartbeat, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_TIMEOUT } from './create-heartbeat';
export type { HeartbeatTimer, HeartbeatTimerConfig } from './create-heartbeat';

/** The configuration of the {@link heartbeat} operator. */
export interface HeartbeatConfig<T> {
  /**
   * Milliseconds between pings; the first goes out `interval` after the source's first value. Above 0, at most `MAX_DELAY`.
   * @default 10000
   */
  readonly interval?: number;
  /**
   * Milliseconds after a ping within which some value must arrive, or the output errors with {@link HeartbeatTimeoutError}. Above 0, at most `MAX_DELAY`.
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
  /**
   * Called when a deadline passes with no value, with the time the ping it
   * watches was sent: return how many milliseconds more to give the ping (for
   * example while it still waits behind outbound data that is draining), or
   * 0 for none; it is asked again when that time has passed. What it throws
   * becomes the output's error.
   * @default none: a deadline with no value is a timeout
   */
  readonly extend?: (sentAt: number) => number;
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
 * @throws InvalidOptionsError (when called) for an interval or timeout that is not a number above 0 and at most `MAX_DELAY`, or a missing `ping`.
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
    extend,
  } = config;
  checkDelay('interval', interval);
  checkDelay('timeout', timeout);
  checkFunction('ping', ping, false);
  checkFunction('isPong', isPong, true);
  checkFunction('onRtt', onRtt, true);
  checkFunction('extend', extend, true);

  return (source) =>
    new Observable<T>((subscriber) => {
      const fail = (error: unknown): void => subscriber.error(error);
      const timer = createHeartbeat({ interval, timeout, scheduler, ping, onTimeout: fail, onError: fail, onRtt, extend });
      subscriber.add(() => timer.stop());
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
            // Stryker disable next-line CallExpression: equivalent, the subscriber's teardown stops the timer too
            timer.stop();
            subscriber.error(error);
          },
          complete() {
            // Stryker disable next-line CallExpression: equivalent, the subscriber's teardown stops the timer too
            timer.stop();
            subscriber.complete();
          },
        }),
      );
    });
}
