/**
 * scheduleIn(): the one way the client's units start a timer. It belongs to
 * the subscription of what it times: it runs after its delay, is cancelled
 * with its owner, and leaves the owner once it has run (a long-lived
 * connection does not collect finished timers).
 */
import { expect } from 'chai';
import { queueScheduler, Subscription, TeardownLogic, VirtualTimeScheduler } from 'rxjs';
import { scheduleIn } from '../../src/client/timers';
import { MAX_DELAY } from '../../src/time';

/** An owner that knows which subscriptions it holds. */
class Owner extends Subscription {
  readonly held = new Set<unknown>();
  override add(teardown: TeardownLogic): void {
    if (!this.closed && teardown instanceof Subscription && !teardown.closed) this.held.add(teardown);
    super.add(teardown);
  }
  override remove(teardown: Exclude<TeardownLogic, void>): void {
    this.held.delete(teardown);
    super.remove(teardown);
  }
}

describe('scheduleIn()', () => {
  it('should run the work after the delay, and leave its owner when it has run', () => {
    const scheduler = new VirtualTimeScheduler();
    const owner = new Owner();
    const ran: number[] = [];
    const action = scheduleIn(owner, scheduler, 50, () => ran.push(scheduler.now()));
    expect([...owner.held]).to.deep.equal([action]);
    scheduler.flush();
    expect(ran).to.deep.equal([50]);
    expect(owner.held.size).to.equal(0);
  });

  it('should not run the work once its owner is unsubscribed', () => {
    const scheduler = new VirtualTimeScheduler();
    const owner = new Owner();
    const ran: number[] = [];
    scheduleIn(owner, scheduler, 50, () => ran.push(scheduler.now()));
    scheduler.schedule(() => owner.unsubscribe(), 20);
    scheduler.flush();
    expect(ran).to.deep.equal([]);
  });

  it('should not keep work that a synchronous scheduler has already run in its owner', () => {
    const owner = new Owner();
    let ran = 0;
    scheduleIn(owner, queueScheduler, 0, () => (ran += 1));
    expect(ran).to.equal(1);
    expect(owner.held.size).to.equal(0);
  });

  it('should cap a delay above MAX_DELAY', () => {
    const scheduler = new VirtualTimeScheduler();
    const ran: number[] = [];
    scheduleIn(new Owner(), scheduler, MAX_DELAY * 4, () => ran.push(scheduler.now()));
    scheduler.flush();
    expect(ran).to.deep.equal([MAX_DELAY]);
  });
});
