// The shared timers of createHeartbeat(): one scheduled action per scheduler
// and delay, whatever the number of heartbeats. Internal: not exported from the package.
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { capDelay } from '../time';

/** @internal What a wheel calls when a slot is due: a heartbeat. */
export interface WheelOwner {
  /** Runs the due wake-up; reports what callbacks throw rather than throwing. */
  fire(slot: Slot, now: number): void;
  /** Stops the owner for good and reports `error` as unhandled; the wheel's last guard when `fire` threw. */
  halt(error: unknown): void;
  /** The process was asleep (suspended): check the connection now, with a ping and a fresh deadline. */
  wake(now: number): void;
}

/** How often a scheduler's clock is looked at while heartbeats run on it, in milliseconds. */
export const WATCH_PERIOD = 1000;
/**
 * How late a timer must fire for the process to count as having slept (a suspended laptop, a frozen tab): timers
 * stop while a machine sleeps but its clock does not, so after the sleep the scheduler's `now()` is far past the time
 * a timer was due. An event loop blocked this long also counts; that costs one early ping, nothing more.
 */
export const SLEPT_AFTER = 5000;

/**
 * One pending wake-up of a heartbeat: its next ping, or the deadline of a
 * ping. A node of a {@link Wheel}'s list, so it can be unlinked in O(1).
 */
export class Slot {
  due = 0;
  prev: Slot | null = null;
  next: Slot | null = null;
  wheel: Wheel | null = null;
  constructor(
    readonly owner: WheelOwner,
    readonly isPing: boolean,
  ) {}
}

/**
 * The wake-ups of every heartbeat that shares a scheduler and a delay, in
 * one list ordered by due time, behind one scheduled action. Ten thousand
 * sockets with the same interval cost one timer, not ten thousand, and each
 * still pings exactly `interval` after its own start.
 *
 * A wheel that empties removes itself from its scheduler's table, so
 * heartbeats with many distinct delays leave nothing behind once stopped.
 * One heartbeat's failure never ends the action: its owner's `fire` reports
 * what its callbacks throw, and the tick guards each slot again with `halt`.
 */
export class Wheel {
  private head: Slot | null = null;
  private tail: Slot | null = null;
  private action: Subscription | null = null;
  private running = false;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly delay: number,
    private readonly table: Map<number, Wheel>,
  ) {}

  add(slot: Slot, due: number): void {
    slot.due = due;
    slot.wheel = this;
    // Due times mostly arrive in order (same delay, later start): walk back from the tail.
    let after = this.tail;
    while (after !== null && after.due > due) after = after.prev;
    slot.prev = after;
    slot.next = after === null ? this.head : after.next;
    if (slot.next === null) this.tail = slot;
    else slot.next.prev = slot;
    if (after === null) {
      this.head = slot;
      this.arm();
    } else after.next = slot;
  }

  remove(slot: Slot): void {
    if (slot.wheel !== this) return;
    const wasHead = slot === this.head;
    if (slot.prev === null) this.head = slot.next;
    else slot.prev.next = slot.next;
    if (slot.next === null) this.tail = slot.prev;
    else slot.next.prev = slot.prev;
    slot.prev = slot.next = slot.wheel = null;
    if (wasHead) this.arm();
  }

  /** Schedules the action for the head (or cancels it and prunes the wheel when empty); not while the action runs: it re-arms itself. */
  private arm(): void {
    if (this.running) return;
    this.action?.unsubscribe();
    this.action = null;
    const head = this.head;
    if (head === null) {
      this.prune();
      return;
    }
    const wheel = this;
    this.action = this.scheduler.schedule(function (this: SchedulerAction<undefined>) {
      wheel.tick(this);
    }, capDelay(head.due - this.scheduler.now()));
  }

  /** Runs every due slot. Never throws: a throwing slot stops its own heartbeat only, and the error is reported. */
  private tick(action: SchedulerAction<undefined>): void {
    const now = this.scheduler.now();
    this.running = true;
    try {
      // Far past its due time: the process slept. Every heartbeat of the scheduler checks its connection afresh
      // (a deadline that passed in its sleep would otherwise fire before the peer's answer could be read).
      if (this.head !== null && now - this.head.due > SLEPT_AFTER) wakeAll(this.scheduler, now);
      let slot = this.head;
      while (slot !== null && slot.due <= now) {
        this.remove(slot);
        try {
          slot.owner.fire(slot, now);
        } catch (error) {
          // fire() reports its callbacks' errors itself; this guards the wheel against anything else.
          slot.owner.halt(error);
        }
        slot = this.head;
      }
    } finally {
      this.running = false;
    }
    const head = this.head;
    if (head === null) {
      this.action = null;
      this.prune();
    } else {
      this.action = action.schedule(undefined, capDelay(head.due - this.scheduler.now()));
    }
  }

  /** An empty wheel leaves its scheduler's table; the next heartbeat with this delay makes a new one. */
  private prune(): void {
    if (this.head === null && this.table.get(this.delay) === this) {
      this.table.delete(this.delay);
      if (this.table.size === 0) watches.get(this.scheduler)?.stop();
    }
  }

  /** @internal The owners of the ping slots (one per running heartbeat). */
  pingOwners(into: WheelOwner[]): void {
    for (let slot = this.head; slot !== null; slot = slot.next) if (slot.isPing) into.push(slot.owner);
  }
}

/**
 * Looks at a scheduler's clock every {@link WATCH_PERIOD} while heartbeats run on it, and wakes them all when a look
 * comes more than {@link SLEPT_AFTER} late: after a machine wakes, its connections are checked within about a second,
 * not after up to `interval + timeout`. One per scheduler, whatever the number of heartbeats.
 */
class SleepWatch {
  private action: Subscription | null = null;
  private expected = 0;

  constructor(private readonly scheduler: SchedulerLike) {}

  start(): void {
    if (this.action !== null) return;
    const watch = this;
    this.expected = this.scheduler.now() + WATCH_PERIOD;
    this.action = this.scheduler.schedule(function (this: SchedulerAction<undefined>) {
      watch.tick(this);
    }, WATCH_PERIOD);
  }

  stop(): void {
    this.action?.unsubscribe();
    this.action = null;
  }

  private tick(action: SchedulerAction<undefined>): void {
    const now = this.scheduler.now();
    if (now - this.expected > SLEPT_AFTER) wakeAll(this.scheduler, now);
    if (this.action === null) return; // stopped by a wake that ended every heartbeat
    this.expected = now + WATCH_PERIOD;
    this.action = action.schedule(undefined, WATCH_PERIOD);
  }
}

const watches = new WeakMap<SchedulerLike, SleepWatch>();

/** Every heartbeat on `scheduler` checks its connection now. A heartbeat whose wake fails stops alone. */
function wakeAll(scheduler: SchedulerLike, now: number): void {
  const byDelay = wheels.get(scheduler);
  // Stryker disable next-line ConditionalExpression: equivalent as `false` (the other way is killed), a scheduler's wheel table is made before its clock watch
  if (byDelay === undefined) return;
  const owners: WheelOwner[] = [];
  for (const wheel of byDelay.values()) wheel.pingOwners(owners);
  for (const owner of owners) {
    try {
      owner.wake(now);
    } catch (error) {
      owner.halt(error);
    }
  }
}

/** The wheels of each scheduler, by delay. Only wheels with pending wake-ups are kept. */
const wheels = new WeakMap<SchedulerLike, Map<number, Wheel>>();

export function wheelOf(scheduler: SchedulerLike, delay: number): Wheel {
  let byDelay = wheels.get(scheduler);
  if (byDelay === undefined) wheels.set(scheduler, (byDelay = new Map()));
  let wheel = byDelay.get(delay);
  if (wheel === undefined) {
    // Stryker disable next-line ConditionalExpression: equivalent as `true` (the other way is killed), start() does nothing while the watch runs
    if (byDelay.size === 0) {
      let watch = watches.get(scheduler);
      // Stryker disable next-line ConditionalExpression: equivalent as `true` (the other way is killed), the table empties only after prune() stopped the watch this would replace
      if (watch === undefined) watches.set(scheduler, (watch = new SleepWatch(scheduler)));
      watch.start();
    }
    byDelay.set(delay, (wheel = new Wheel(scheduler, delay, byDelay)));
  }
  return wheel;
}

/** @internal How many wheels (distinct delays with pending wake-ups) a scheduler has; for tests. */
export function wheelCount(scheduler: SchedulerLike): number {
  return wheels.get(scheduler)?.size ?? 0;
}
