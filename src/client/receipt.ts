import { Observable, Subscriber, TeardownLogic } from 'rxjs';
import { MessageDroppedError } from '../errors';
import type { DropReason, Ticket } from './outbox';

/**
 * @internal The fate of one message sent with `sendWithReceipt()`: an Observable that completes once the message has
 * been written to an open socket, or errors with a {@link MessageDroppedError} when it is dropped first. Settled
 * once; a late subscriber gets the outcome at once (like an `AsyncSubject` of no value). It is the message's ticket
 * in the write queue. Not a Promise: a dropped message nobody asked about must not become an unhandled rejection.
 */
export class Receipt extends Observable<void> implements Ticket {
  /** `undefined` while pending; `null` once written; the error once dropped. */
  private outcome: MessageDroppedError | null | undefined = undefined;
  private waiting: Subscriber<void>[] | undefined = undefined;
  /** Written but never handed to the operating system when its connection died: sent again, as `send()`'s are. */
  readonly requeue = true;

  constructor() {
    super(subscribeReceipt);
  }

  get done(): boolean {
    return this.outcome !== undefined;
  }

  sent(): void {
    this.settle(null);
  }

  dropped(reason: DropReason): void {
    // 'refused' never reaches a ticket: only piped values are refused, and they have none.
    this.settle(new MessageDroppedError(reason as 'overflow' | 'expired' | 'closed'));
  }

  /** @internal */
  add(subscriber: Subscriber<void>): TeardownLogic {
    const outcome = this.outcome;
    if (outcome === null) subscriber.complete();
    else if (outcome !== undefined) subscriber.error(outcome);
    else {
      (this.waiting ??= []).push(subscriber);
      return () => {
        const waiting = this.waiting;
        if (waiting !== undefined) waiting.splice(waiting.indexOf(subscriber) >>> 0, 1);
      };
    }
    return undefined;
  }

  private settle(outcome: MessageDroppedError | null): void {
    if (this.outcome !== undefined) return;
    this.outcome = outcome;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting === undefined) return;
    for (const subscriber of waiting) {
      if (outcome === null) subscriber.complete();
      else subscriber.error(outcome);
    }
  }
}

function subscribeReceipt(this: Observable<void>, subscriber: Subscriber<void>): TeardownLogic {
  return (this as Receipt).add(subscriber);
}
