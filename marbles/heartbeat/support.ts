/** Shared by the heartbeat marble specs. */
import type { SchedulerLike } from 'rxjs';

/** A clock over `base` that can jump ahead, as a machine's clock does after sleep; timers still run on `base`. */
export function sleepyClock(base: SchedulerLike): { scheduler: SchedulerLike; sleep(ms: number): void } {
  let slept = 0;
  return {
    scheduler: { now: () => base.now() + slept, schedule: base.schedule.bind(base) as SchedulerLike['schedule'] },
    sleep: (ms) => {
      slept += ms;
    },
  };
}
