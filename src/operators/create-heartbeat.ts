import { Observable } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import { HeartbeatTimeoutError, InvalidOptionsError } from '../errors';
import { checkScheduler } from '../invalid';
import { capDelay, checkDuration } from '../time';
import { Slot, WheelOwner, wheelOf } from './heartbeat-wheel';

/**
 * The interval between pings when none is given, in milliseconds: 10 s. With
 * {@link DEFAULT_HEARTBEAT_TIMEOUT}, a peer that has gone silent (frozen,
 * black-holed, half-open) is found within 20 s, where Phoenix (30 s ping)
 * takes up to 60 s, socket.io (25 s + 20 s) 45 s and centrifuge (25 s + 10 s)
 * 35 s. Faster detection is safe because the client counts outbound progress:
 * a ping waiting behind data that is still draining is not late (see the
 * `extend` hook). Battery-sensitive mobile apps may prefer 25-30 s.
 */
export const DEFAULT_HEARTBEAT_INTERVAL = 10_000;
/**
 * How long to wait for a sign of life after a ping leaves, when none is given, in milliseconds: 10 s, as centrifuge,
 * so that a pong delayed by a congested network is not taken for a dead peer.
 */
export const DEFAULT_HEARTBEAT_TIMEOUT = 10_000;

/** The configuration of {@link createHeartbeat}: the timer core that the client and {@link heartbeat} share. */
export interface HeartbeatTimerConfig {
  /** Milliseconds between pings; the first ping is sent `interval` after `start()`. Above 0, at most `MAX_DELAY` (2^31 - 1). */
  readonly interval: number;
  /** Milliseconds after a ping within which a sign of life must arrive. Above 0, at most `MAX_DELAY` (2^31 - 1). */
  readonly timeout: number;
  /** Where every delay is scheduled. */
  readonly scheduler: SchedulerLike;
  /**
   * Sends one ping. May throw: with `onError`, the error goes there and the
   * heartbeat goes on (call `stop()` there to end it); without, see `onError`.
   */
  readonly ping: () => void;
  /**
   * Called once, with a {@link HeartbeatTimeoutError}, when a deadline passes without a sign of life; the heartbeat has stopped by then.
   * What it throws goes to `onError` (or, without one, is reported as an unhandled error).
   */
  readonly onTimeout: (error: HeartbeatTimeoutError) => void;
  /**
   * Called with the round-trip time of a ping (milliseconds from the ping to the first pong after it).
   * @default none
   */
  readonly onRtt?: (rtt: number) => void;
  /**
   * Called when a deadline passes without a sign of life, with the time the
   * ping it watches was sent: return how many milliseconds more to give that
   * ping (because it may still be waiting behind outbound data), or 0 for
   * none. The heartbeat asks again when that time has passed. What it throws
   * goes to `onError`, and counts as 0.
   * @default none: a deadline without a sign of life is a timeout
   */
  readonly extend?: (sentAt: number) => number;
  /**
   * Called with what `ping`, `onRtt`, `extend` or `onTimeout` threw. A heartbeat whose
   * `ping` or `onRtt` threw goes on (call `stop()` here to end it).
   *
   * Without it (or when it throws itself), the heartbeat whose callback threw
   * stops (`running` becomes false) and the error is reported the way rxjs
   * reports an error nobody handles: to `config.onUnhandledError` when set,
   * otherwise thrown on a fresh call stack. Heartbeats that share a scheduler
   * and delay share one scheduled action, and one heartbeat's failure never
   * ends it: every other heartbeat keeps its schedule.
   * @default stop this heartbeat and report the error as unhandled (rxjs `config.onUnhandledError`)
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

/** @internal */
export function checkDelay(option: string, value: unknown): void {
  checkDuration(`heartbeat ${option}`, value);
}

/**
 * Hands an error that has no handler to rxjs, exactly as a subscriber without
 * an error callback would: `config.onUnhandledError` when set, otherwise
 * rethrown on a fresh call stack. Never throws here, so a shared scheduled
 * action is never ended by it.
 */
function reportUnhandled(error: unknown): void {
  try {
    new Observable<never>((subscriber) => subscriber.error(error)).subscribe();
  } catch (thrown) {
    // Only with rxjs's deprecated synchronous error handling: still never out of the shared action.
    queueMicrotask(() => {
      throw thrown;
    });
  }
}

/** @internal */
export function checkFunction(option: string, value: unknown, optional: boolean): void {
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
 * @throws InvalidOptionsError when `interval` or `timeout` is not a number above 0 and at most `MAX_DELAY`, or a callback is missing.
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
  const { interval, timeout, scheduler, ping, onTimeout, onRtt, extend, onError } = config;
  checkDelay('interval', interval);
  checkDelay('timeout', timeout);
  checkScheduler('heartbeat scheduler', scheduler);
  checkFunction('ping', ping, false);
  checkFunction('onTimeout', onTimeout, false);
  checkFunction('onRtt', onRtt, true);
  checkFunction('extend', extend, true);
  checkFunction('onError', onError, true);
  return new Heartbeat(interval, timeout, scheduler, { ping, onTimeout, onRtt, extend, onError });
}

/** @internal What a {@link Heartbeat} calls: methods, so an owner (the client's attempt) can be its own hooks. */
export interface HeartbeatHooks {
  /** Sends one ping. */
  ping(): void;
  /** The deadline passed without a sign of life; the heartbeat has stopped. */
  onTimeout(error: HeartbeatTimeoutError): void;
  /** The round-trip time of a ping, on its pong. */
  onRtt?(rtt: number): void;
  /** A deadline passed without a sign of life: how many milliseconds more the ping sent at `sentAt` gets (0: none). */
  extend?(sentAt: number): number;
  /** A hook threw; without it, the heartbeat stops and the error is reported as unhandled. */
  onError?(error: unknown): void;
}

/**
 * @internal The heartbeat timer: plain fields and prototype methods, no closures, two list nodes.
 * The client makes it directly, from options `connect()` has already checked.
 */
export class Heartbeat implements HeartbeatTimer, WheelOwner {
  private isRunning = false;
  /** Pings sent since start. */
  private pings = 0;
  /** The value of `pings` at the last sign of life: every ping up to it is answered. */
  private answered = 0;
  /** The ping the armed deadline watches. */
  private watched = 0;
  private lastPingAt = 0;
  private rttPending = false;
  private readonly pingSlot = new Slot(this, true);
  private readonly deadlineSlot = new Slot(this, false);

  constructor(
    private readonly interval: number,
    private readonly timeout: number,
    private readonly scheduler: SchedulerLike,
    private readonly hooks: HeartbeatHooks,
  ) {}

  get running(): boolean {
    return this.isRunning;
  }

  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.pings = 0;
    this.answered = 0;
    this.rttPending = false;
    wheelOf(this.scheduler, this.interval).add(this.pingSlot, this.scheduler.now() + this.interval);
  }

  alive(): void {
    this.answered = this.pings;
  }

  pong(): void {
    this.answered = this.pings;
    if (this.rttPending) {
      this.rttPending = false;
      const hooks = this.hooks;
      if (hooks.onRtt !== undefined) {
        try {
          hooks.onRtt(this.scheduler.now() - this.lastPingAt);
        } catch (error) {
          this.report(error);
        }
      }
    }
  }

  stop(): void {
    this.isRunning = false;
    this.rttPending = false;
    this.pingSlot.wheel?.remove(this.pingSlot);
    this.deadlineSlot.wheel?.remove(this.deadlineSlot);
  }

  /** @internal Called by a wheel when one of this timer's slots is due. Reports what the callbacks throw; does not throw. */
  fire(slot: Slot, now: number): void {
    // Stryker disable next-line ConditionalExpression: equivalent as `false` (the other way is killed), stop() takes a timer's slots off the wheels, so a stopped timer is never fired
    if (!this.isRunning) return;
    if (slot.isPing) this.sendPing(now);
    else this.checkDeadline(now);
  }

  /** @internal The process slept: ping now and watch that ping (a deadline that passed in the sleep is dropped). */
  wake(now: number): void {
    if (!this.isRunning) return;
    this.deadlineSlot.wheel?.remove(this.deadlineSlot);
    // Stryker disable next-line OptionalChaining: equivalent, a timer is woken through its ping slot, and a stopped one has returned above
    this.pingSlot.wheel?.remove(this.pingSlot);
    this.sendPing(now);
  }

  /** @internal Stops this timer for good and reports the error as unhandled: the wheel's last guard. */
  halt(error: unknown): void {
    this.stop();
    reportUnhandled(error);
  }

  private sendPing(now: number): void {
    wheelOf(this.scheduler, this.interval).add(this.pingSlot, now + this.interval);
    this.pings++;
    this.lastPingAt = now;
    this.rttPending = true;
    if (this.deadlineSlot.wheel === null) this.arm(this.pings, now + this.timeout);
    try {
      this.hooks.ping();
    } catch (error) {
      this.report(error);
    }
  }

  private checkDeadline(now: number): void {
    if (this.answered < this.watched) {
      const more = this.onItsWay();
      if (more > 0) {
        // The ping may still be on its way (behind data sent before it): its deadline runs from later.
        this.arm(this.watched, now + capDelay(more));
        return;
      }
      if (!this.isRunning) return; // `extend` threw, and with no `onError` that stopped the heartbeat.
      this.stop();
      try {
        this.hooks.onTimeout(new HeartbeatTimeoutError(this.timeout));
      } catch (error) {
        this.report(error);
      }
      return;
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent as `true` or `<=` (the other way is killed), a deadline armed early for the next ping falls due when that ping's own would
    if (this.answered < this.pings) {
      // Only when timeout >= interval: pings after the last sign of life still wait; watch the oldest one.
      const oldest = this.answered + 1;
      const sentAt = this.lastPingAt - (this.pings - oldest) * this.interval;
      this.arm(oldest, Math.max(now, sentAt + this.timeout));
    }
  }

  /** The `extend` hook's answer (milliseconds more; not a positive number: none); what it throws is reported and counts as 0. */
  private onItsWay(): number {
    const hooks = this.hooks;
    if (hooks.extend === undefined) return 0;
    try {
      // The watched ping: pings go out every `interval`, the last one at `lastPingAt`.
      const more = hooks.extend(this.lastPingAt - (this.pings - this.watched) * this.interval);
      return typeof more === 'number' && more > 0 ? more : 0;
    } catch (error) {
      this.report(error);
      return 0;
    }
  }

  private arm(ping: number, due: number): void {
    this.watched = ping;
    wheelOf(this.scheduler, this.timeout).add(this.deadlineSlot, due);
  }

  /**
   * What a callback threw: to `onError`, and the heartbeat goes on; without
   * `onError`, or when it throws too, this heartbeat stops and the error is
   * reported as unhandled. Never throws, so no other heartbeat is touched.
   */
  private report(error: unknown): void {
    const hooks = this.hooks;
    if (hooks.onError !== undefined) {
      try {
        hooks.onError(error);
        return;
      } catch (thrown) {
        error = thrown;
      }
    }
    this.halt(error);
  }
}
