/**
 * `TransportConnection.drained()` for the transports whose socket can say
 * when written data has left it (`wsTransport` through ws's send callback,
 * `TestTransport` through its scripted `bufferedAmount`). The WHATWG
 * transport has no such signal and does not offer `drained()`.
 *
 * Not exported from any entry point.
 * (Internal: not exported from any entry point; declared for the testing entry.)
 * @packageDocumentation
 */
import { Observable, Subscriber, TeardownLogic } from 'rxjs';
import { InvalidOptionsError } from '../errors';
import { CLOSING, OPEN, SocketConnection } from './socket-connection';

/** One subscriber of `drained(threshold)`. */
interface DrainWaiter {
  readonly threshold: number;
  readonly subscriber: Subscriber<number>;
}

/**
 * The subscribers of `drained()` waiting on one socket (kept on its
 * `SocketSession`, made on the first wait). The driver calls
 * {@link DrainWaiters.check} whenever its buffered amount may have fallen;
 * the session calls {@link DrainWaiters.end} when the socket ends.
 * (Internal: not exported from any entry point; declared for the testing entry.)
 */
export class DrainWaiters {
  private waiters: DrainWaiter[] = [];

  add(waiter: DrainWaiter): void {
    this.waiters.push(waiter);
  }

  remove(waiter: DrainWaiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index !== -1) this.waiters.splice(index, 1);
  }

  /** Completes every waiter whose threshold `bufferedAmount` is at or below. */
  check(bufferedAmount: number): void {
    const waiters = this.waiters;
    let kept: DrainWaiter[] | undefined;
    for (let i = 0; i < waiters.length; i++) {
      if (bufferedAmount > waiters[i].threshold) (kept ??= []).push(waiters[i]);
    }
    if (kept !== undefined && kept.length === waiters.length) return;
    const done = waiters;
    this.waiters = kept ?? [];
    for (let i = 0; i < done.length; i++) if (bufferedAmount <= done[i].threshold) done[i].subscriber.complete();
  }

  /** The socket ended: every waiter completes without a further value. */
  end(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (let i = 0; i < waiters.length; i++) waiters[i].subscriber.complete();
  }
}

/**
 * A {@link SocketConnection} with `drained()` and `written()`, for transports
 * whose driver calls `session.drainWaiters?.check(bufferedAmount)` when data
 * leaves the socket and counts each frame that left in `session.written`.
 * (Internal: not exported from any entry point; declared for the testing entry.)
 */
export class DrainableSocketConnection extends SocketConnection {
  /** See `TransportConnection.drained`. */
  drained(threshold: number): Observable<number> {
    if (typeof threshold !== 'number' || !(threshold >= 0) || !Number.isFinite(threshold)) {
      throw new InvalidOptionsError(`drained() needs a threshold in bytes, a finite number 0 or more, got ${String(threshold)}`);
    }
    return new DrainedObservable(this, threshold);
  }

  /** See `TransportConnection.written`: counted by the driver on its session. */
  written(): number {
    const session = this.latest;
    return session === undefined ? 0 : session.written;
  }
}

class DrainedObservable extends Observable<number> {
  constructor(
    readonly connection: SocketConnection,
    readonly threshold: number,
  ) {
    super(subscribeDrained);
  }
}

function subscribeDrained(this: Observable<number>, subscriber: Subscriber<number>): TeardownLogic {
  const { connection, threshold } = this as DrainedObservable;
  const session = connection.current;
  const driver = session?.driver;
  const readyState = driver === undefined ? -1 : driver.readyState;
  if (session === undefined || driver === undefined || (readyState !== OPEN && readyState !== CLOSING)) {
    // No socket, or one not open yet or already closed: nothing is buffered for this connection.
    subscriber.complete();
    return undefined;
  }
  const amount = driver.bufferedAmount;
  subscriber.next(amount);
  if (amount <= threshold) {
    subscriber.complete();
    return undefined;
  }
  const waiters = (session.drainWaiters ??= new DrainWaiters());
  const waiter: DrainWaiter = { threshold, subscriber };
  waiters.add(waiter);
  return () => waiters.remove(waiter);
}
