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
}

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
    this.running = true;
    try {
      const now = this.scheduler.now();
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
    if (this.head === null && this.table.get(this.delay) === this) this.table.delete(this.delay);
  }
}

/** The wheels of each scheduler, by delay. Only wheels with pending wake-ups are kept. */
const wheels = new WeakMap<SchedulerLike, Map<number, Wheel>>();

export function wheelOf(scheduler: SchedulerLike, delay: number): Wheel {
  let byDelay = wheels.get(scheduler);
  if (byDelay === undefined) wheels.set(scheduler, (byDelay = new Map()));
  let wheel = byDelay.get(delay);
  if (wheel === undefined) byDelay.set(delay, (wheel = new Wheel(scheduler, delay, byDelay)));
  return wheel;
}

/** @internal How many wheels (distinct delays with pending wake-ups) a scheduler has; for tests. */
export function wheelCount(scheduler: SchedulerLike): number {
  return wheels.get(scheduler)?.size ?? 0;
}
