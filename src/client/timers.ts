import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { capDelay } from '../time';

/**
 * @internal Schedules `work` after `delay` ms on `scheduler` as a child of
 * `owner` (the subscription of the thing it times, as rxjs `executeSchedule`
 * does): unsubscribing `owner` cancels it, and it leaves `owner` when it runs.
 * The delay is capped at `MAX_DELAY`.
 */
export function scheduleIn(owner: Subscription, scheduler: SchedulerLike, delay: number, work: () => void): Subscription {
  let ran = false;
  // `this` is the action `schedule()` returns, already while a synchronous scheduler runs it inside that call.
  const action: Subscription = scheduler.schedule(function (this: SchedulerAction<unknown>) {
    ran = true;
    owner.remove(this);
    work();
  }, capDelay(delay));
  // A scheduler that runs work synchronously (queueScheduler outside an action) has already run it.
  if (!ran) owner.add(action);
  return action;
}
