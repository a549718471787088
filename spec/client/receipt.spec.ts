/**
 * The Receipt that sendWithReceipt() returns, on its own: settled once, every subscriber told, late subscribers
 * told at once, and a subscriber that left before the outcome never told.
 */
import { expect } from 'chai';
import { Receipt } from '../../src/client/receipt';
import { MessageDroppedError } from '../../src/errors';

/** What a subscriber saw: 'written', 'dropped: <reason>', or nothing yet. */
function watch(receipt: Receipt): string[] {
  const seen: string[] = [];
  receipt.subscribe({
    next: () => seen.push('next'),
    complete: () => seen.push('written'),
    error: (error: unknown) => seen.push(`dropped: ${(error as MessageDroppedError).reason}`),
  });
  return seen;
}

describe('Receipt', () => {
  it('should be pending and tell nobody anything until the message is written or dropped', () => {
    const receipt = new Receipt();
    const seen = watch(receipt);
    expect(receipt.done).to.equal(false);
    expect(seen).to.deep.equal([]);
  });

  it('should complete every waiting subscriber, without a value, when the message is written', () => {
    const receipt = new Receipt();
    const first = watch(receipt);
    const second = watch(receipt);
    receipt.sent();
    expect(receipt.done).to.equal(true);
    expect(first).to.deep.equal(['written']);
    expect(second).to.deep.equal(['written']);
  });

  it('should error every waiting subscriber with a MessageDroppedError that says why, when the message is dropped', () => {
    const receipt = new Receipt();
    const first = watch(receipt);
    const second = watch(receipt);
    receipt.dropped('expired');
    expect(receipt.done).to.equal(true);
    expect(first).to.deep.equal(['dropped: expired']);
    expect(second).to.deep.equal(['dropped: expired']);
  });

  it('should tell a subscriber that comes after the outcome at once', () => {
    const written = new Receipt();
    written.sent();
    expect(watch(written)).to.deep.equal(['written']);
    const dropped = new Receipt();
    dropped.dropped('overflow');
    expect(watch(dropped)).to.deep.equal(['dropped: overflow']);
  });

  it('should settle once: a later sent() or dropped() changes nothing', () => {
    const receipt = new Receipt();
    const seen = watch(receipt);
    receipt.dropped('closed');
    receipt.sent();
    receipt.dropped('overflow');
    expect(seen).to.deep.equal(['dropped: closed']);
    expect(watch(receipt)).to.deep.equal(['dropped: closed']);
    const written = new Receipt();
    written.sent();
    written.dropped('closed');
    expect(watch(written)).to.deep.equal(['written']);
  });

  it('should not tell a subscriber that unsubscribed before the outcome, and still tell the others', () => {
    const receipt = new Receipt();
    const kept = watch(receipt);
    const left: string[] = [];
    const subscription = receipt.subscribe({ complete: () => left.push('written'), error: () => left.push('dropped') });
    const last = watch(receipt);
    subscription.unsubscribe();
    receipt.sent();
    expect(left).to.deep.equal([]);
    expect(kept).to.deep.equal(['written']);
    expect(last).to.deep.equal(['written']);
  });

  it('should let go of a subscriber that unsubscribes while the message waits (no leak on a long-queued message)', () => {
    const receipt = new Receipt();
    const held = () => (receipt as unknown as { waiting?: unknown[] }).waiting?.length ?? 0;
    const first = receipt.subscribe({});
    const second = receipt.subscribe({});
    expect(held()).to.equal(2);
    first.unsubscribe();
    second.unsubscribe();
    expect(held()).to.equal(0);
  });

  it('should leave the other subscribers alone when one unsubscribes twice or after the outcome', () => {
    const receipt = new Receipt();
    const subscription = receipt.subscribe({});
    const kept = watch(receipt);
    subscription.unsubscribe();
    subscription.unsubscribe();
    receipt.dropped('closed');
    expect(kept).to.deep.equal(['dropped: closed']);
    const after = new Receipt();
    const late = after.subscribe({});
    after.sent();
    expect(() => late.unsubscribe()).not.to.throw();
  });

  it('should be sent again after a connection died under it, like a send()', () => {
    expect(new Receipt().requeue).to.equal(true);
  });
});
